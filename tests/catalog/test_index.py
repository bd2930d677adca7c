"""The catalog index (catalog.index) against its SQL definition, its freshness and its reuse.

The reference for both membership and order is `ItemFilterSet(...).qs` over
`item_list_for_catalog`: the page must list exactly what SQL would, in the same order.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from catalog import index, selectors
from catalog.models import Item
from catalog.services import item_search_refresh
from enrollment.services import item_popularity_refresh
from tests.catalog.factories import AudienceFactory, ItemFactory, TopicFactory
from tests.catalog.helpers import (
    assert_same_as_sql,
    page_pks,
    reference_counts,
    search,
)
from tests.enrollment.factories import EnrollmentFactory
from tests.people.factories import EmployeeFactory

TITLES = ("Hand hygiene", "Rota planning", "Hand hygiene refresher", "Sepsis and hygiene")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sort": "title"},
        {"sort": "newest"},
        {"sort": "soonest"},
        {"sort": "popular"},
        {"sort": "relevance"},  # without a term: popularity order
        {"q": "hygiene"},
        {"q": "hygiene", "sort": "popular", "format": ["course", "elearning"]},
        {"q": "hand hygiene", "sort": "soonest", "language": ["en"]},
        {"topic": ["safety"], "level": ["advanced", "introductory"], "sort": "newest"},
        {"starts": "30", "sort": "soonest"},
        {"provider": ["Academy", "College"], "sort": "popular", "starts": "any"},
    ],
)
def test_results_have_the_members_and_order_of_the_sql_filterset(
    employee, pharmacist, ordered_catalog, params
):
    now = ordered_catalog
    for user in (employee.user, pharmacist.user, AnonymousUser()):
        found, expected = assert_same_as_sql(user, params, now)
        # Short pages take the partial-sort path; later pages read from an offset.
        for start, stop in ((0, 3), (4, 9), (len(expected) - 2, len(expected) + 5)):
            assert page_pks(found, start, stop) == expected[start:stop]


@pytest.mark.django_db
def test_every_committed_write_is_seen_by_the_next_search(employee, pharmacist, committed):
    now = timezone.now()
    kept, edited, gone = ItemFactory(), ItemFactory(format=Item.Format.VIDEO), ItemFactory()
    # Made first, so that only the m2m writes below can change the token.
    audience = AudienceFactory(departments=[pharmacist.department])
    safety = TopicFactory(name="Safety", slug="safety")
    assert_same_as_sql(employee.user, {}, now)

    with committed():
        new = ItemFactory(format=Item.Format.VIDEO)
    assert search(employee.user, {}, now).facets.static["format"]["video"] == 2
    with committed():
        edited.format = Item.Format.BOOK
        edited.save()
    assert search(employee.user, {}, now).facets.static["format"]["book"] == 1
    with committed():
        new.is_published = False
        new.save()
    assert search(employee.user, {}, now).facets.total == 3
    with committed():
        gone.delete()
    assert search(employee.user, {}, now).facets.total == 2
    with committed():
        kept.audiences.add(audience)
    assert_same_as_sql(employee.user, {}, now)
    assert search(employee.user, {}, now).facets.total == 1
    assert search(pharmacist.user, {}, now).facets.total == 2
    with committed():
        edited.topics.add(safety)
    assert search(employee.user, {}, now).facets.topics == [("safety", "Safety", 1)]
    assert_same_as_sql(pharmacist.user, {"topic": ["safety"]}, now)


@pytest.mark.django_db
def test_bulk_update_waits_for_catalog_changed_but_the_page_never_leaks(
    employee, pharmacist, committed
):
    """Bulk writes send no signal: counts lag until `catalog_changed()`; the page does not."""
    now = timezone.now()
    first, second = ItemFactory(title="A"), ItemFactory(title="B")
    search(employee.user, {}, now)

    with committed():
        Item.objects.filter(pk=first.pk).update(format=Item.Format.VIDEO)
    assert search(employee.user, {}, now).facets.static["format"]["video"] == 0
    with committed():
        index.catalog_changed()
    assert search(employee.user, {}, now).facets.static["format"]["video"] == 1

    with committed():
        audience = AudienceFactory(departments=[pharmacist.department])  # a signal
    search(employee.user, {}, now)
    Item.audiences.through.objects.bulk_create(
        [Item.audiences.through(item_id=second.pk, audience_id=audience.pk)]
    )
    stale = search(employee.user, {}, now)
    assert stale.facets.total == 2  # the snapshot still thinks it is open
    assert page_pks(stale) == [first.pk]  # but the page re-reads the visibility rule


@pytest.mark.django_db
def test_an_unpublish_written_behind_the_index_never_reaches_the_page(
    employee, pharmacist, committed
):
    now = timezone.now()
    first, second = ItemFactory(title="A"), ItemFactory(title="B")
    with committed():
        audience = AudienceFactory(departments=[pharmacist.department])
        restricted = ItemFactory(title="C", audiences=[audience])
    assert page_pks(search(pharmacist.user, {}, now)) == [first.pk, second.pk, restricted.pk]

    # Bulk writes send no signal: the index still holds both as published.
    Item.objects.filter(pk__in=[second.pk, restricted.pk]).update(is_published=False)

    for user in (employee.user, pharmacist.user):
        stale = search(user, {}, now)
        assert page_pks(stale) == [first.pk]


@pytest.mark.django_db
def test_popularity_refresh_reorders_the_popular_sort(employee, committed):
    now = timezone.now()
    alpha, beta = ItemFactory(title="Alpha"), ItemFactory(title="Beta")
    assert page_pks(search(employee.user, {"sort": "popular"}, now)) == [alpha.pk, beta.pk]

    EnrollmentFactory(item=beta, offering=None)
    with committed():
        assert item_popularity_refresh() == 1

    _, expected = assert_same_as_sql(employee.user, {"sort": "popular"}, now)
    assert expected == [beta.pk, alpha.pk]


@pytest.mark.django_db
def test_counts_stay_correct_and_fresh_while_the_cache_is_down(employee, settings):
    now = timezone.now()
    for n in range(6):
        ItemFactory(title=TITLES[n % 4], slug=f"item-{n}", format=Item.Format.values[n % 3])
    item_search_refresh(item_ids=Item.objects.values("pk"))
    # Nothing listens on port 1: every cache read and write fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    params = {"q": "hygiene", "format": ["course"]}

    found, _ = assert_same_as_sql(employee.user, params, now)
    total, static, *_ = reference_counts(employee.user, params, now)
    assert (found.facets.total, found.facets.static) == (total, static)

    ItemFactory(title="Hand hygiene video", format=Item.Format.COURSE)
    item_search_refresh(item_ids=Item.objects.values("pk"))
    found, _ = assert_same_as_sql(employee.user, params, now)
    assert found.facets.total == total + 1


@pytest.mark.django_db
def test_people_with_the_same_audiences_share_the_counts_until_the_index_changes(
    employee, pharmacist, committed, monkeypatch
):
    now = timezone.now()
    counted = []
    real = selectors._counted
    monkeypatch.setattr(selectors, "_counted", lambda *a: counted.append(1) or real(*a))
    ItemFactory(title="Open")
    pharmacy = AudienceFactory(departments=[pharmacist.department])
    ItemFactory(title="Pharmacy only", audiences=[pharmacy])
    colleague = EmployeeFactory(department=employee.department)

    assert search(employee.user, {}, now).facets.total == 1
    assert search(colleague.user, {}, now).facets.total == 1
    assert len(counted) == 1
    assert search(pharmacist.user, {}, now).facets.total == 2  # other audiences, counted anew
    assert search(employee.user, {"format": ["course"]}, now).facets.total == 1
    assert len(counted) == 3

    with committed():
        ItemFactory(title="New")
    assert search(colleague.user, {}, now).facets.total == 2
    assert len(counted) == 4
