"""The catalog page's facet counts: only what the person may see, disjunctive within a
facet, the same from the index as counted in SQL."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from catalog.filters import ItemFilterSet
from catalog.models import Item
from catalog.selectors import (
    FACET_OPTION_LIMIT,
    item_catalog_search,
)
from catalog.services import item_search_refresh
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.catalog.helpers import reference_counts
from tests.people.factories import EmployeeFactory


def item_facet_counts(**arguments):
    """The catalog page's facet counts alone."""
    return item_catalog_search(**arguments).facets


def facets_for(user, params=None, term=""):
    filterset = ItemFilterSet(params or {}, queryset=Item.objects.all())
    return item_facet_counts(
        user=user, term=term, conditions=filterset.conditions(), selected=filterset.selected()
    )


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
