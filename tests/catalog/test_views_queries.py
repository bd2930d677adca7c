"""The catalog page's cost: its query count, the cache being down, and what it reads until
the catalog changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import views
from catalog.models import Item
from catalog.services import item_search_refresh
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.catalog.helpers import LIST_URL, facet_groups
from tests.people.factories import DepartmentFactory, EmployeeFactory


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


@pytest.mark.django_db
def test_catalog_page_checks_audiences_only_for_the_restricted_rows_on_it(
    client_as, employee, make_item
):
    pharmacy = DepartmentFactory(name="Pharmacy")
    pharmacist = EmployeeFactory(department=pharmacy)
    make_item(title="Open course")
    make_item(title="Controlled drugs", audiences=[AudienceFactory(departments=[pharmacy])])
    for person in (employee, pharmacist):  # sessions and the index warmed
        client_as(person).get(LIST_URL)

    with CaptureQueriesContext(connection) as open_page:
        assert len(client_as(employee).get(LIST_URL).context["items"]) == 1
    with CaptureQueriesContext(connection) as restricted_page:
        assert len(client_as(pharmacist).get(LIST_URL).context["items"]) == 2

    audience_checks = [q for q in restricted_page if "catalog_item_audiences" in q["sql"]]
    assert len(restricted_page) == len(open_page) + 1
    assert (
        len(audience_checks)
        == len([q for q in open_page if "catalog_item_audiences" in q["sql"]]) + 1
    )
