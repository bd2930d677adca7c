import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Q
from django.utils import timezone

from catalog.filters import ItemFilterSet
from catalog.models import Item, Offering
from catalog.selectors import (
    FACET_OPTION_LIMIT,
    item_catalog_search,
    item_get_published_visible,
    item_get_visible_to,
    item_list_for_catalog,
    item_list_visible_to,
)
from catalog.services import item_search_refresh
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.catalog.helpers import reference_counts
from tests.people.factories import DepartmentFactory, EmployeeFactory, RoleFactory


def item_facet_counts(**arguments):
    """The catalog page's facet counts alone."""
    return item_catalog_search(**arguments).facets


def visible_titles(user, **kwargs):
    return set(item_list_visible_to(user=user, **kwargs).values_list("title", flat=True))


def facets_for(user, params=None, term=""):
    filterset = ItemFilterSet(params or {}, queryset=Item.objects.all())
    return item_facet_counts(
        user=user, term=term, conditions=filterset.conditions(), selected=filterset.selected()
    )


@pytest.fixture
def pharmacy():
    return DepartmentFactory(name="Pharmacy")


@pytest.mark.django_db
def test_open_item_is_visible_to_everyone_including_anonymous(employee):
    ItemFactory(title="Open to all")

    assert visible_titles(employee.user) == {"Open to all"}
    assert visible_titles(AnonymousUser()) == {"Open to all"}


@pytest.mark.django_db
def test_department_audience_sees_item_and_outsiders_do_not(employee, pharmacy):
    ItemFactory(title="Pharmacy only", audiences=[AudienceFactory(departments=[pharmacy])])
    pharmacist = EmployeeFactory(department=pharmacy)

    assert visible_titles(pharmacist.user) == {"Pharmacy only"}
    assert visible_titles(employee.user) == set()
    assert visible_titles(AnonymousUser()) == set()


@pytest.mark.django_db
def test_role_audience_sees_item(employee):
    midwife = RoleFactory(name="Midwife")
    ItemFactory(title="For midwives", audiences=[AudienceFactory(roles=[midwife])])

    assert visible_titles(EmployeeFactory(role=midwife).user) == {"For midwives"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_managers_only_audience_hides_item_from_staff_without_reports(employee, manager):
    ItemFactory(title="Managing rotas", audiences=[AudienceFactory(managers_only=True)])

    assert visible_titles(manager.user) == {"Managing rotas"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_group_audience_sees_item(employee):
    group = Group.objects.create(name="Resuscitation officers")
    ItemFactory(title="Advanced life support", audiences=[AudienceFactory(groups=[group])])
    officer = EmployeeFactory()
    officer.user.groups.add(group)

    assert visible_titles(officer.user) == {"Advanced life support"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_audience_with_two_criteria_requires_both(pharmacy):
    lead = RoleFactory(name="Team lead")
    ItemFactory(
        title="Pharmacy leads", audiences=[AudienceFactory(departments=[pharmacy], roles=[lead])]
    )

    assert visible_titles(EmployeeFactory(department=pharmacy, role=lead).user) == {
        "Pharmacy leads"
    }
    assert visible_titles(EmployeeFactory(department=pharmacy).user) == set()
    assert visible_titles(EmployeeFactory(role=lead).user) == set()


@pytest.mark.django_db
def test_item_with_two_audiences_is_visible_to_members_of_either(employee, pharmacy):
    midwife = RoleFactory(name="Midwife")
    ItemFactory(
        title="Shared",
        audiences=[AudienceFactory(departments=[pharmacy]), AudienceFactory(roles=[midwife])],
    )

    assert visible_titles(EmployeeFactory(department=pharmacy).user) == {"Shared"}
    assert visible_titles(EmployeeFactory(role=midwife).user) == {"Shared"}
    assert visible_titles(employee.user) == set()


@pytest.mark.django_db
def test_publish_window_and_flag_decide_what_is_listed(employee):
    now = timezone.now()
    ItemFactory(title="Live")
    ItemFactory(title="Draft", is_published=False)
    ItemFactory(title="Not yet", publish_start=now + dt.timedelta(days=1))
    ItemFactory(title="Expired", publish_end=now - dt.timedelta(minutes=1))
    ItemFactory(
        title="In window",
        publish_start=now - dt.timedelta(days=1),
        publish_end=now + dt.timedelta(days=1),
    )

    assert visible_titles(employee.user) == {"Live", "In window"}


@pytest.mark.django_db
def test_detail_selector_returns_none_for_restricted_item_outside_audience(employee, pharmacy):
    item = ItemFactory(audiences=[AudienceFactory(departments=[pharmacy])])

    assert item_get_visible_to(user=employee.user, slug=item.slug) is None
    assert item_get_visible_to(user=AnonymousUser(), slug=item.slug) is None
    member = item_get_visible_to(user=EmployeeFactory(department=pharmacy).user, slug=item.slug)
    assert member == item
    assert member.is_restricted
    assert not member.is_public


@pytest.mark.django_db
def test_detail_selector_lists_only_future_scheduled_sessions():
    item = ItemFactory(delivery=Item.Delivery.SCHEDULED)
    now = timezone.now()
    later = OfferingFactory(item=item, starts_at=now + dt.timedelta(days=20))
    sooner = OfferingFactory(item=item, starts_at=now + dt.timedelta(days=2))
    OfferingFactory(item=item, starts_at=now - dt.timedelta(days=2))
    OfferingFactory(
        item=item, starts_at=now + dt.timedelta(days=5), status=Offering.Status.CANCELLED
    )

    found = item_get_visible_to(user=AnonymousUser(), slug=item.slug)

    assert found.upcoming_sessions == [sooner, later]


@pytest.mark.django_db
def test_catalog_list_annotates_next_session_and_restriction(pharmacy):
    now = timezone.now()
    scheduled = ItemFactory(title="Scheduled")
    OfferingFactory(item=scheduled, starts_at=now + dt.timedelta(days=9))
    OfferingFactory(item=scheduled, starts_at=now + dt.timedelta(days=3))
    OfferingFactory(
        item=scheduled, starts_at=now + dt.timedelta(days=1), status=Offering.Status.CANCELLED
    )
    ItemFactory(title="Restricted", audiences=[AudienceFactory(departments=[pharmacy])])
    pharmacist = EmployeeFactory(department=pharmacy)

    rows = {i.title: i for i in item_list_for_catalog(user=pharmacist.user, now=now)}

    assert rows["Scheduled"].next_session_starts_at == now + dt.timedelta(days=3)
    assert not rows["Scheduled"].is_restricted
    assert rows["Restricted"].next_session_starts_at is None
    assert rows["Restricted"].is_restricted


@pytest.mark.django_db
def test_facets_never_count_items_outside_the_persons_audience(employee, pharmacy):
    topic = TopicFactory(name="Medicines", slug="medicines")
    ItemFactory(
        format=Item.Format.VIDEO,
        provider="Secret provider",
        language="cy",
        topics=[topic],
        audiences=[AudienceFactory(departments=[pharmacy])],
    )
    ItemFactory(format=Item.Format.BOOK, provider="Open provider")

    outsider = facets_for(employee.user)
    member = facets_for(EmployeeFactory(department=pharmacy).user)

    assert outsider.total == 1
    assert outsider.static["format"] == {**outsider.static["format"], "video": 0, "book": 1}
    assert outsider.topics == []
    assert [p[0] for p in outsider.providers] == ["Open provider"]
    assert [lang[0] for lang in outsider.languages] == ["en"]
    assert member.total == 2
    assert member.static["format"]["video"] == 1
    assert member.topics == [("medicines", "Medicines", 1)]
    assert {p[0] for p in member.providers} == {"Open provider", "Secret provider"}


@pytest.mark.django_db
def test_facet_counts_are_disjunctive_within_a_facet_and_conjunctive_across(employee):
    ItemFactory(format=Item.Format.VIDEO, level=Item.Level.INTRODUCTORY, duration_minutes=20)
    ItemFactory(format=Item.Format.VIDEO, level=Item.Level.ADVANCED, duration_minutes=90)
    ItemFactory(format=Item.Format.BOOK, level=Item.Level.ADVANCED, duration_minutes=600)
    ItemFactory(format=Item.Format.PODCAST, level=Item.Level.ADVANCED, duration_minutes=45)

    counts = facets_for(employee.user, {"format": ["video"], "level": ["advanced"]})

    assert counts.total == 1
    # Format counts ignore the format filter but honour the level filter.
    assert counts.static["format"]["video"] == 1
    assert counts.static["format"]["book"] == 1
    assert counts.static["format"]["podcast"] == 1
    # Level counts ignore the level filter but honour the format filter.
    assert counts.static["level"]["introductory"] == 1
    assert counts.static["level"]["advanced"] == 1
    # Duration counts honour both.
    assert counts.static["duration"] == {"short": 0, "medium": 1, "long": 0, "multi_day": 0}


@pytest.mark.django_db
def test_duration_bands_and_session_windows_are_counted(employee):
    now = timezone.now()
    for minutes in (10, 29, 30, 119, 120, 480, 481, None):
        ItemFactory(duration_minutes=minutes)
    week = ItemFactory(duration_minutes=None)
    OfferingFactory(item=week, starts_at=now + dt.timedelta(days=3))
    quarter = ItemFactory(duration_minutes=None)
    OfferingFactory(item=quarter, starts_at=now + dt.timedelta(days=60))

    counts = facets_for(employee.user)

    assert counts.static["duration"] == {"short": 2, "medium": 2, "long": 2, "multi_day": 1}
    assert counts.static["starts"] == {"any": 2, "7": 1, "30": 1, "90": 2}


@pytest.mark.django_db
def test_topic_facet_keeps_a_chosen_topic_listed_even_with_no_results(employee):
    TopicFactory(name="Rare", slug="rare")
    ItemFactory(topics=[TopicFactory(name="Common", slug="common")])

    counts = facets_for(employee.user, {"topic": ["rare"]})

    assert counts.total == 0
    assert counts.topics == [("common", "Common", 1), ("rare", "Rare", 0)]


@pytest.mark.django_db
def test_search_selector_applies_visibility_before_matching(employee, pharmacy, make_item):
    make_item(title="Controlled drugs", audiences=[AudienceFactory(departments=[pharmacy])])
    make_item(title="Controlled breathing")

    found = item_catalog_search(user=employee.user, term="controlled", conditions={}, selected={})

    assert [i.title for i in found.results[0:10]] == ["Controlled breathing"]
    assert found.facets.total == 1


@pytest.mark.django_db
def test_filterset_conditions_leave_out_invalid_values(employee):
    filterset = ItemFilterSet(
        {"format": ["video", "hologram"], "level": ["advanced"], "topic": ["bad slug!"]},
        queryset=Item.objects.all(),
    )

    conditions = filterset.conditions()

    assert set(conditions) == {"level"}
    assert conditions["level"] == Q(level__in=["advanced"])
    assert set(filterset.errors) == {"format", "topic"}


@pytest.mark.django_db
def test_provider_facet_lists_the_largest_providers_and_always_the_chosen_one(employee):
    for number in range(FACET_OPTION_LIMIT + 5):
        for _ in range(2 if number < FACET_OPTION_LIMIT else 1):
            ItemFactory(provider=f"Provider {number:02d}")
    chosen = f"Provider {FACET_OPTION_LIMIT + 4:02d}"

    counts = facets_for(employee.user, {"provider": [chosen]})

    listed = [value for value, _, _ in counts.providers]
    assert len(listed) == FACET_OPTION_LIMIT + 1
    assert listed[0] == "Provider 00"
    assert chosen in listed
    assert counts.total == 1


@pytest.fixture
def varied_catalog(employee, pharmacy):
    """Items spread over every facet, some restricted, some with sessions in each window."""
    now = timezone.now()
    topics = [TopicFactory(name=name, slug=name.lower()) for name in ("Safety", "Care", "Data")]
    restricted = AudienceFactory(departments=[pharmacy])
    formats = Item.Format.values
    levels = Item.Level.values
    for number in range(48):
        item = ItemFactory(
            title=f"Hand hygiene {number}" if number % 3 else f"Rota planning {number}",
            format=formats[number % len(formats)],
            level=levels[number % len(levels)],
            language=("en", "fr", "de")[number % 3 if number % 7 else 0],
            provider=("Academy", "College", "")[number % 5 % 3],
            duration_minutes=(10, 45, 200, 600, None)[number % 5],
            topics=topics[: number % 4],
            audiences=[restricted] if number % 11 == 0 else [],
        )
        if number % 4:
            days = (2, 20, 60, 200)[number % 4]
            OfferingFactory(item=item, starts_at=now + dt.timedelta(days=days))
    item_search_refresh(item_ids=Item.objects.values("pk"))
    return now


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"format": ["video", "book", "course"], "level": ["advanced", "introductory"]},
        {"topic": ["safety"], "duration": ["short", "long"]},
        {"topic": ["care", "data"], "provider": ["Academy"], "starts": "30"},
        {"language": ["fr", "de"], "starts": "any", "level": ["intermediate"]},
        {"q": "hygiene", "provider": ["College"], "duration": ["multi_day", "medium"]},
        {"q": "hygiene", "topic": ["data"], "language": ["en"], "starts": "7"},
    ],
)
def test_facet_counts_from_the_index_match_counting_each_option_in_sql(
    employee, pharmacy, varied_catalog, params
):
    now = varied_catalog
    for user in (employee.user, EmployeeFactory(department=pharmacy).user, AnonymousUser()):
        filterset = ItemFilterSet(params, queryset=Item.objects.all(), now=now)
        counts = item_facet_counts(
            user=user,
            term=filterset.term,
            conditions=filterset.conditions(),
            selected=filterset.selected(),
            now=now,
        )
        total, static, topics, providers, languages = reference_counts(user, params, now)

        assert counts.total == total
        assert counts.static == static
        assert {slug: n for slug, _, n in counts.topics} == {
            slug: n for slug, n in topics.items() if n or slug in params.get("topic", [])
        }
        assert {value: n for value, _, n in counts.providers} == {
            p: n for p, n in providers.items() if n or p in params.get("provider", [])
        }
        assert {code: n for code, _, n in counts.languages} == {
            code: n for code, n in languages.items() if n or code in params.get("language", [])
        }


@pytest.mark.django_db
def test_published_visible_item_by_slug_follows_the_audience_rule():
    nursing = DepartmentFactory(name="Nursing")
    nurse = EmployeeFactory(department=nursing).user
    other = EmployeeFactory(department=DepartmentFactory(name="Pharmacy")).user
    open_item = ItemFactory()
    restricted = ItemFactory(audiences=[AudienceFactory(departments=[nursing])])
    draft = ItemFactory(is_published=False)

    for user in (nurse, other, AnonymousUser()):
        for item in (open_item, restricted, draft):
            expected = item_list_visible_to(user=user).filter(slug=item.slug).first()
            assert item_get_published_visible(user=user, slug=item.slug) == expected
    assert item_get_published_visible(user=nurse, slug=restricted.slug) == restricted
    assert item_get_published_visible(user=other, slug=restricted.slug) is None


@pytest.mark.django_db
def test_audience_ids_compiled_once_are_those_of_the_audience_rule():
    from catalog.visibility import audience_ids_of, audiences_of

    nursing = DepartmentFactory(name="Nursing")
    role = RoleFactory(name="Staff nurse")
    group = Group.objects.create(name="Fire wardens")
    AudienceFactory(departments=[nursing])
    AudienceFactory(roles=[role])
    AudienceFactory(departments=[nursing], roles=[role])
    AudienceFactory(groups=[group])
    AudienceFactory(managers_only=True)
    AudienceFactory(departments=[nursing], managers_only=True)
    people = [
        EmployeeFactory(department=nursing, role=role).user,
        EmployeeFactory(department=nursing, role=None, is_manager=True).user,
        EmployeeFactory(department=None, role=role).user,
        EmployeeFactory(department=None, role=None).user,
        EmployeeFactory(department=DepartmentFactory(name="Pharmacy"), is_manager=True).user,
    ]
    people[3].groups.add(group)

    for user in [*people, AnonymousUser()]:
        expected = sorted(audiences_of(user).values_list("pk", flat=True))
        assert sorted(audience_ids_of(user)) == expected
    assert len(audience_ids_of(people[0])) == 3


@pytest.mark.django_db
def test_restricted_item_visible_from_known_audiences_agrees_with_the_visibility_query():
    from catalog.visibility import audience_ids_of, restricted_item_visible

    nursing = DepartmentFactory(name="Nursing")
    role = RoleFactory(name="Staff nurse")
    group = Group.objects.create(name="Fire wardens")
    audiences = [
        AudienceFactory(departments=[nursing]),
        AudienceFactory(roles=[role]),
        AudienceFactory(departments=[nursing], roles=[role]),
        AudienceFactory(groups=[group]),
        AudienceFactory(managers_only=True),
        AudienceFactory(departments=[nursing], managers_only=True),
    ]
    items = [ItemFactory(audiences=[audience]) for audience in audiences]
    items.append(ItemFactory(audiences=[audiences[1], audiences[3]]))
    people = [
        EmployeeFactory(department=nursing, role=role).user,
        EmployeeFactory(department=nursing, role=None, is_manager=True).user,
        EmployeeFactory(department=None, role=role).user,
        EmployeeFactory(department=None, role=None).user,
        EmployeeFactory(department=DepartmentFactory(name="Pharmacy"), is_manager=True).user,
    ]
    people[3].groups.add(group)

    seen = 0
    for user in people:
        belongs = frozenset(audience_ids_of(user))
        for item in items:
            expected = item_list_visible_to(user=user).filter(pk=item.pk).exists()
            item_audiences = set(item.audiences.values_list("pk", flat=True))
            assert (
                restricted_item_visible(item_audience_ids=item_audiences, audience_ids=belongs)
                == expected
            )
            seen += expected
    assert 0 < seen < len(people) * len(items)
