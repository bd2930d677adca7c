"""The catalog page's search, filters, sorts and pagination, and what bad input gets."""

import datetime as dt

import pytest
from django.utils import timezone

from catalog import views
from catalog.models import Item, ZeroResultSearch
from tests.catalog.factories import ItemFactory, OfferingFactory, TopicFactory
from tests.catalog.helpers import LIST_URL, facet_groups
from tests.people.factories import EmployeeFactory


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
def test_default_sort_is_relevance_with_a_search_and_popularity_without(client, make_item):
    make_item(title="Aseptic technique", description="Mentions audit once.", popularity=9)
    make_item(title="Audit skills", popularity=1)

    response = client.get(LIST_URL)
    assert response.context["sort"] == "popular"
    assert [item.title for item in response.context["items"]] == [
        "Aseptic technique",
        "Audit skills",
    ]
    response = client.get(LIST_URL, {"q": "audit"})
    assert response.context["sort"] == "relevance"
    assert [item.title for item in response.context["items"]] == [
        "Audit skills",
        "Aseptic technique",
    ]


@pytest.mark.django_db
def test_relevance_without_a_search_shows_the_popular_order_it_reads_in(client, make_item):
    make_item(title="Beta", popularity=7)
    make_item(title="Alpha", popularity=2)

    response = client.get(LIST_URL, {"sort": "relevance"})

    assert response.context["sort"] == "popular"
    assert [item.title for item in response.context["items"]] == ["Beta", "Alpha"]


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
