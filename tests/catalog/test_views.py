import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from catalog import views
from catalog.models import Item, ZeroResultSearch
from catalog.services import item_search_refresh
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory

LIST_URL = reverse("catalog:list")


def facet_groups(response) -> dict:
    return {group.name: group for group in response.context["facet_groups"]}


@pytest.fixture
def pharmacy():
    return DepartmentFactory(name="Pharmacy")


@pytest.fixture
def restricted_item(pharmacy):
    return ItemFactory(
        title="Controlled drugs register",
        provider="Hidden Provider Ltd",
        format=Item.Format.PODCAST,
        topics=[TopicFactory(name="Secret topic", slug="secret-topic")],
        audiences=[AudienceFactory(departments=[pharmacy])],
    )


@pytest.fixture
def pharmacist(pharmacy):
    return EmployeeFactory(department=pharmacy)


@pytest.mark.django_db
def test_restricted_item_is_absent_from_list_counts_facets_and_search_for_outsiders(
    client_as, employee, restricted_item, make_item
):
    make_item(title="Open course", provider="Open Provider")

    for url in (LIST_URL, f"{LIST_URL}?q=controlled", f"{LIST_URL}?format=podcast"):
        response = client_as(employee).get(url)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Controlled drugs register" not in content
        assert "Hidden Provider Ltd" not in content
        assert "Secret topic" not in content
    assert client_as(employee).get(LIST_URL).context["total"] == 1


@pytest.mark.django_db
def test_restricted_item_is_listed_with_a_badge_for_its_audience(
    client_as, pharmacist, restricted_item
):
    response = client_as(pharmacist).get(LIST_URL)

    assert response.context["total"] == 1
    assert "Controlled drugs register" in response.content.decode()
    assert 'class="badge badge-restricted"' in response.content.decode()


@pytest.mark.django_db
def test_restricted_item_detail_is_404_for_outsiders_and_shown_to_its_audience(
    client, client_as, employee, pharmacist, restricted_item
):
    url = restricted_item.get_absolute_url()

    assert client.get(url).status_code == 404
    assert client_as(employee).get(url).status_code == 404
    response = client_as(pharmacist).get(url)
    assert response.status_code == 200
    assert "Preview" not in response.content.decode()


@pytest.mark.django_db
def test_unpublished_item_is_404_for_learners(client_as, employee):
    draft = ItemFactory(is_published=False)

    assert client_as(employee).get(draft.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_catalog_admin_previews_unpublished_and_restricted_items_with_a_notice(
    client_as, restricted_item
):
    admin = EmployeeFactory()
    admin.user.user_permissions.add(Permission.objects.get(codename="change_item"))
    draft = ItemFactory(title="Draft course", is_published=False)
    public = ItemFactory(title="Public course")

    for item in (draft, restricted_item):
        response = client_as(admin).get(item.get_absolute_url())
        assert response.status_code == 200
        assert "Preview — not visible to everyone" in response.content.decode()
    response = client_as(admin).get(public.get_absolute_url())
    assert "Preview — not visible to everyone" not in response.content.decode()


@pytest.mark.django_db
def test_item_page_shows_facts_topics_sanitized_description_and_sessions(client):
    topic = TopicFactory(name="Patient safety", slug="patient-safety")
    item = ItemFactory(
        title="Falls prevention",
        delivery=Item.Delivery.SCHEDULED,
        format=Item.Format.LIVE_SESSION,
        duration_minutes=90,
        level=Item.Level.INTERMEDIATE,
        language="fr",
        provider="Safety Academy",
        description="## Why\n\n<script>alert('x')</script>**Fewer falls**",
        topics=[topic],
    )
    starts = dt.datetime(2031, 3, 4, 9, 30, tzinfo=dt.UTC)
    OfferingFactory(
        item=item,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        timezone="America/New_York",
        location="Ward 5 seminar room",
        capacity=12,
    )
    OfferingFactory(
        item=item,
        starts_at=starts + dt.timedelta(days=1),
        ends_at=starts + dt.timedelta(days=1, hours=1),
        online_url="https://video.example.org/room",
        capacity=None,
    )

    content = client.get(item.get_absolute_url()).content.decode()

    for fact in ("Falls prevention", "Live session", "1 h 30 min", "Intermediate", "French"):
        assert fact in content
    assert "Safety Academy" in content
    assert f'href="{LIST_URL}?topic=patient-safety"' in content
    assert "<strong>Fewer falls</strong>" in content
    assert "<script>alert" not in content
    # Shown in the viewer's zone (the organisation's, London), with the session's own:
    # 09:30 UTC is 04:30 in New York in March (before daylight saving time starts).
    assert 'Tue 4 Mar 2031, 09:30–11:30</time> <span class="session-zone">London time' in content
    assert "(04:30–06:30 New York time, where it is held)" in content
    for session_fact in ("Ward 5 seminar room", "12 seats left", "Online"):
        assert session_fact in content
    assert "Open seats" in content


@pytest.mark.django_db
def test_item_page_hides_cancelled_and_past_sessions(client):
    item = ItemFactory(delivery=Item.Delivery.SCHEDULED)
    OfferingFactory(item=item, status="cancelled", location="Cancelled room")
    past = timezone.now() - dt.timedelta(days=3)
    OfferingFactory(item=item, starts_at=past, location="Past room")

    content = client.get(item.get_absolute_url()).content.decode()

    assert "Cancelled room" not in content
    assert "Past room" not in content
    assert "No sessions are scheduled at the moment" in content


@pytest.mark.django_db
def test_list_shows_the_next_session_date(client):
    item = ItemFactory(title="Scheduled thing")
    OfferingFactory(item=item, starts_at=dt.datetime(2031, 5, 6, 13, 0, tzinfo=dt.UTC))

    content = client.get(LIST_URL).content.decode()

    assert "Next session" in content
    assert "6 May 2031" in content


@pytest.mark.django_db
def test_filters_narrow_results_and_show_counts(client, make_item):
    make_item(title="A video", format=Item.Format.VIDEO, duration_minutes=15)
    make_item(title="A book", format=Item.Format.BOOK, duration_minutes=600)

    response = client.get(LIST_URL, {"format": "video"})

    assert [item.title for item in response.context["items"]] == ["A video"]
    groups = facet_groups(response)
    formats = {option.value: option for option in groups["format"].options}
    assert formats["video"].selected
    assert formats["video"].count == 1
    # Disjunctive: the book count ignores the format filter itself.
    assert formats["book"].count == 1
    durations = {option.value: option.count for option in groups["duration"].options}
    assert durations == {"short": 1, "medium": 0, "long": 0, "multi_day": 0}


@pytest.mark.django_db
def test_filter_by_topic_provider_language_level_and_sessions(client, make_item):
    topic = TopicFactory(name="Nutrition", slug="nutrition")
    match = make_item(
        title="Match",
        topics=[topic],
        provider="Dietetics",
        language="de",
        level=Item.Level.ADVANCED,
    )
    OfferingFactory(item=match, starts_at=timezone.now() + dt.timedelta(days=5))
    make_item(title="Other topic", provider="Dietetics", language="de")
    later = make_item(title="Later", topics=[topic], provider="Dietetics", language="de")
    OfferingFactory(item=later, starts_at=timezone.now() + dt.timedelta(days=50))

    response = client.get(
        LIST_URL,
        {
            "topic": "nutrition",
            "provider": "Dietetics",
            "language": "de",
            "level": "advanced",
            "starts": "7",
        },
    )

    assert [item.title for item in response.context["items"]] == ["Match"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Alpha", "Bravo", "Charlie"]),
        ("popular", ["Charlie", "Alpha", "Bravo"]),
        ("newest", ["Charlie", "Bravo", "Alpha"]),
        ("soonest", ["Bravo", "Alpha", "Charlie"]),
    ],
)
def test_sort_orders(client, sort, expected):
    now = timezone.now()
    alpha = ItemFactory(title="Alpha", popularity=5)
    bravo = ItemFactory(title="Bravo", popularity=1)
    ItemFactory(title="Charlie", popularity=9)
    Item.objects.filter(title="Alpha").update(created_at=now - dt.timedelta(days=3))
    Item.objects.filter(title="Bravo").update(created_at=now - dt.timedelta(days=2))
    OfferingFactory(item=alpha, starts_at=now + dt.timedelta(days=10))
    OfferingFactory(item=bravo, starts_at=now + dt.timedelta(days=2))

    response = client.get(LIST_URL, {"sort": sort})

    assert [item.title for item in response.context["items"]] == expected


@pytest.mark.django_db
def test_default_sort_is_relevance_with_a_search_and_title_without(client, make_item):
    make_item(title="Aseptic technique", description="Mentions audit once.")
    make_item(title="Audit skills")

    assert client.get(LIST_URL).context["sort"] == "title"
    response = client.get(LIST_URL, {"q": "audit"})
    assert response.context["sort"] == "relevance"
    assert [item.title for item in response.context["items"]] == [
        "Audit skills",
        "Aseptic technique",
    ]


@pytest.mark.django_db
def test_relevance_without_a_search_shows_the_title_order_it_reads_in(client, make_item):
    make_item(title="Beta")
    make_item(title="Alpha")

    response = client.get(LIST_URL, {"sort": "relevance"})

    assert response.context["sort"] == "title"
    assert [item.title for item in response.context["items"]] == ["Alpha", "Beta"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"format": "hologram"},
        {"level": ["advanced", "wizard"]},
        {"duration": "forever"},
        {"starts": "365"},
        {"sort": "random"},
        {"topic": "<script>"},
        {"language": "english please"},
        {"q": "x" * 500},
        {"page": "abc"},
        {"provider": "a\x00b"},
    ],
)
def test_bad_filter_input_shows_a_message_not_a_server_error(client, params):
    ItemFactory(title="Still listed")

    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    if "page" not in params:
        assert "could not be used" in response.content.decode()
    assert "Still listed" in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main")[1]


@pytest.mark.django_db
def test_pagination_keeps_search_and_filters(client, monkeypatch, make_item):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for number in range(5):
        make_item(title=f"Hand hygiene {number}", format=Item.Format.VIDEO)
    make_item(title="Hand hygiene book", format=Item.Format.BOOK)

    response = client.get(LIST_URL, {"q": "hygiene", "format": "video", "sort": "title"})
    content = response.content.decode()

    assert response.context["paginator"].num_pages == 3
    assert 'href="?q=hygiene&amp;format=video&amp;sort=title&amp;page=2"' in content
    page_two = client.get(LIST_URL, {"q": "hygiene", "format": "video", "page": 2})
    assert [i.title for i in page_two.context["items"]] == ["Hand hygiene 2", "Hand hygiene 3"]


@pytest.mark.django_db
def test_page_beyond_the_end_shows_the_last_page(client, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for number in range(3):
        ItemFactory(title=f"Item {number}")

    response = client.get(LIST_URL, {"page": 99})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2
    assert [i.title for i in response.context["items"]] == ["Item 2"]


@pytest.mark.django_db
def test_empty_search_state_shows_the_term_and_ways_out(client, make_item):
    make_item(title="Something else", format=Item.Format.BOOK)

    content = client.get(LIST_URL, {"q": "Quantum", "format": "book"}).content.decode()

    assert "Nothing matches “Quantum” with these filters" in content
    assert 'href="?q=Quantum"' in content
    assert f'href="{LIST_URL}">Clear the search and all filters' in content


@pytest.mark.django_db
def test_zero_result_search_is_recorded_without_the_person(client_as, employee, make_item):
    make_item(title="Hand hygiene")

    client_as(employee).get(LIST_URL, {"q": "  Quantum   Physics "})
    client_as(EmployeeFactory()).get(LIST_URL, {"q": "quantum physics", "page": "1"})

    row = ZeroResultSearch.objects.get()
    assert (row.term, row.count, row.day) == ("quantum physics", 2, timezone.localdate())


@pytest.mark.django_db
def test_zero_result_search_is_not_recorded_with_results_blank_terms_or_later_pages(
    client, make_item
):
    make_item(title="Hand hygiene")

    client.get(LIST_URL, {"q": "hygiene"})
    client.get(LIST_URL)
    client.get(LIST_URL, {"format": "podcast"})
    client.get(LIST_URL, {"q": "quantum", "page": "2"})

    assert not ZeroResultSearch.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [5, 50])
def test_catalog_page_runs_at_most_eight_queries(
    client_as, employee, monkeypatch, django_assert_max_num_queries, page_size
):
    monkeypatch.setattr(views, "PAGE_SIZE", page_size)
    topics = [TopicFactory(name=f"Topic {n}") for n in range(4)]
    group_audience = AudienceFactory(departments=[employee.department])
    for number in range(60):
        item = ItemFactory(
            title=f"Course {number}",
            format=Item.Format.VIDEO if number % 2 else Item.Format.COURSE,
            provider=f"Provider {number % 3}",
            topics=topics[: number % 4],
            audiences=[group_audience] if number % 5 == 0 else [],
        )
        if number % 3 == 0:
            OfferingFactory(item=item)
    item_search_refresh(item_ids=Item.objects.values("pk"))
    client = client_as(employee)
    client.get(LIST_URL)  # warm the session cache, as any signed-in request would

    with django_assert_max_num_queries(8):
        response = client.get(
            LIST_URL,
            {"q": "course", "format": ["video", "course"], "topic": "topic-1", "sort": "soonest"},
        )
    assert len(response.context["items"]) == min(page_size, response.context["total"])
    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL)
    assert len(response.context["items"]) == page_size


@pytest.mark.django_db
def test_filter_form_keeps_only_a_sort_the_person_chose(client):
    ItemFactory()

    default = client.get(LIST_URL).content.decode()
    chosen = client.get(LIST_URL, {"sort": "popular"}).content.decode()

    assert 'type="hidden" name="sort"' not in default
    assert '<input type="hidden" name="sort" value="popular">' in chosen


@pytest.mark.django_db
def test_catalog_renders_with_fresh_counts_while_the_cache_is_down(client, settings, make_item):
    make_item(title="Hand hygiene video", format=Item.Format.VIDEO)
    make_item(title="Hand hygiene book", format=Item.Format.BOOK)
    # Nothing listens on port 1: every cache read and write fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    response = client.get(LIST_URL, {"q": "hygiene", "format": "video"})

    assert response.status_code == 200
    assert response.context["total"] == 1
    assert {o.value: o.count for o in facet_groups(response)["format"].options}["book"] == 1


@pytest.mark.django_db
def test_catalog_page_reads_only_its_rows_until_the_catalog_changes(
    client_as,
    employee,
    django_assert_max_num_queries,
    make_item,
    django_capture_on_commit_callbacks,
):
    make_item(title="Hand hygiene video", format=Item.Format.VIDEO)
    client = client_as(employee)
    client.get(LIST_URL, {"format": "video"})

    # The session, the user, the person's audiences and the page of items: counts and order
    # come from the catalog index built by the first visit.
    with django_assert_max_num_queries(4):
        response = client.get(LIST_URL, {"format": "video"})
    assert response.context["total"] == 1

    with django_capture_on_commit_callbacks(execute=True):  # the index is retired on commit
        make_item(title="Another video", format=Item.Format.VIDEO)
    response = client.get(LIST_URL, {"format": "video"})

    assert response.context["total"] == 2
    assert [item.title for item in response.context["items"]] == [
        "Another video",
        "Hand hygiene video",
    ]
