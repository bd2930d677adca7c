"""The catalog index's freshness: how long a build stays valid, when it is rebuilt."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone

from catalog import index
from catalog.models import CatalogVersion, Item, Offering
from catalog.services import item_search_refresh
from catalog.tasks import refresh_catalog_index
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.catalog.helpers import (
    assert_same_as_sql,
    page_pks,
    search,
    sql_pks,
)

MINUTE = dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_index_is_reused_until_a_session_starts(employee, django_assert_num_queries):
    now = timezone.now()
    OfferingFactory(starts_at=now + MINUTE)
    ItemFactory()
    assert search(employee.user, {}, now).facets.static["starts"]["any"] == 1
    built = index.process_copy()
    assert built.valid_until == now + MINUTE

    with django_assert_num_queries(2):  # the catalog version and the person's audiences
        found = search(employee.user, {}, now + dt.timedelta(seconds=30))
    assert index.process_copy() is built
    assert found.facets.static["starts"]["any"] == 1

    later = now + 2 * MINUTE
    assert search(employee.user, {}, later).facets.static["starts"]["any"] == 0
    assert index.process_copy() is not built
    assert_same_as_sql(employee.user, {"starts": "any"}, later)


@pytest.mark.django_db
def test_item_appears_when_its_publish_window_opens(employee):
    now = timezone.now()
    ItemFactory()
    scheduled = ItemFactory(publish_start=now + dt.timedelta(seconds=90))
    assert search(employee.user, {}, now).facets.total == 1
    assert index.process_copy().valid_until == now + dt.timedelta(seconds=90)

    later = now + dt.timedelta(seconds=100)
    found, _ = assert_same_as_sql(employee.user, {}, later)
    assert found.facets.total == 2
    assert scheduled.pk in page_pks(found)


@pytest.mark.django_db
def test_validity_spans_from_the_last_boundary_to_the_next_and_at_most_max_age():
    now = timezone.now()
    second = dt.timedelta(seconds=1)

    def validity():
        built = index.build_index(now, token=None)
        return built.valid_from, built.valid_until

    assert validity() == (now - index.MAX_AGE, now + index.MAX_AGE)
    OfferingFactory(starts_at=now + dt.timedelta(days=200))
    assert validity()[1] == now + index.MAX_AGE
    ItemFactory(publish_end=now + 80 * second)
    assert validity()[1] == now + 80 * second
    ItemFactory(publish_start=now + 70 * second)
    assert validity()[1] == now + 70 * second
    OfferingFactory(starts_at=now + 60 * second)
    OfferingFactory(starts_at=now + 50 * second, status=Offering.Status.CANCELLED)
    assert validity()[1] == now + 60 * second

    # Backwards: a session that started, one that entered the 7-day window, a window that
    # opened; the latest of them is where the span starts.
    OfferingFactory(starts_at=now - 3 * MINUTE)
    assert validity()[0] == now - 3 * MINUTE
    OfferingFactory(starts_at=now + dt.timedelta(days=7) - 2 * MINUTE)
    assert validity()[0] == now - 2 * MINUTE
    ItemFactory(publish_start=now - MINUTE)
    assert validity() == (now - MINUTE, now + 60 * second)


@pytest.mark.django_db
def test_a_request_that_began_before_the_build_uses_it(employee, django_assert_num_queries):
    built_at = timezone.now()
    ItemFactory()
    index.refresh_index(built_at)

    with django_assert_num_queries(2):  # version and audiences: the index is not built again
        assert search(employee.user, {}, built_at - dt.timedelta(seconds=1)).facets.total == 1


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30, 90])
def test_index_expires_when_a_session_enters_a_starts_window(employee, days):
    """A session `days` days and 1 minute away enters that window one minute from now."""
    now = timezone.now()
    OfferingFactory(starts_at=now + dt.timedelta(days=days) + MINUTE)
    search(employee.user, {}, now)

    later = now + 2 * MINUTE
    found = search(employee.user, {"starts": str(days)}, later)
    assert found.facets.total == len(sql_pks(employee.user, {"starts": str(days)}, later)) == 1
    assert index.build_index(now, token=None).valid_until == now + MINUTE


@pytest.mark.django_db
def test_unchanged_catalog_costs_only_the_audience_query(employee, django_assert_num_queries):
    now = timezone.now()
    ItemFactory(title="Hand hygiene", format=Item.Format.VIDEO)
    ItemFactory(title="Rota planning")
    item_search_refresh(item_ids=Item.objects.values("pk"))
    browse, term = {"format": ["video"]}, {"q": "hygiene"}
    first = search(employee.user, browse, now).facets
    searched = search(employee.user, term, now).facets

    # The catalog version and the person's audiences (none for an anonymous visitor).
    with django_assert_num_queries(2):
        assert search(employee.user, browse, now).facets == first
    with django_assert_num_queries(2):  # the term's matches are not searched again
        assert search(employee.user, term, now).facets == searched
    with django_assert_num_queries(1):
        search(AnonymousUser(), term, now)

    # A new process: no copy of its own, but the shared index and term matches are cached.
    index.forget_process_copies()
    with django_assert_num_queries(2):
        assert search(employee.user, term, now).facets == searched


@pytest.mark.django_db
def test_refresh_task_builds_the_shared_index(employee, django_assert_num_queries):
    ItemFactory()
    ItemFactory()
    ItemFactory(is_published=False)

    assert refresh_catalog_index.apply().get() == 2
    assert cache.get(index.INDEX_KEY).token == index.current_token()
    with django_assert_num_queries(2):  # version and audiences: the task's index is used
        assert search(employee.user, {}, timezone.now()).facets.total == 2


@pytest.mark.django_db
def test_refresh_task_rebuilds_only_an_index_that_would_not_last_until_its_next_run(
    monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    from catalog.index import store

    ItemFactory()
    builds = []
    real_build = store.build_index
    monkeypatch.setattr(
        store, "build_index", lambda *a, **k: builds.append(1) or real_build(*a, **k)
    )
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    refresh_catalog_index.apply()
    time_machine.move_to(start + dt.timedelta(seconds=30), tick=False)
    refresh_catalog_index.apply()  # still current at the next run: kept
    assert len(builds) == 1
    time_machine.move_to(start + index.MAX_AGE - dt.timedelta(seconds=30), tick=False)
    refresh_catalog_index.apply()  # would age out before the next run
    assert len(builds) == 2
    with django_capture_on_commit_callbacks(execute=True):
        ItemFactory()  # a new version is always built
    refresh_catalog_index.apply()
    assert len(builds) == 3
    assert cache.get(index.INDEX_KEY).size == 2


@pytest.mark.django_db
def test_a_commit_queues_one_refresh_unless_one_is_already_waiting(
    django_capture_on_commit_callbacks, monkeypatch, settings
):
    queued = []
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker runs the tasks
    monkeypatch.setattr(refresh_catalog_index, "delay", lambda: queued.append(1))

    with django_capture_on_commit_callbacks(execute=True):
        ItemFactory()
        ItemFactory()
    assert len(queued) == 1  # one for the whole transaction
    with django_capture_on_commit_callbacks(execute=True):
        ItemFactory()
    assert len(queued) == 1  # the first is still waiting for a worker

    refresh_catalog_index.apply()  # a worker takes it: the next commit queues again
    with django_capture_on_commit_callbacks(execute=True):
        ItemFactory()
    assert len(queued) == 2


@pytest.mark.django_db
def test_an_index_built_before_a_write_is_never_used_after_it(employee, committed):
    """A slow build that read the catalog before a write and shared its index after it."""
    now = timezone.now()
    ItemFactory(title="Hand hygiene")
    token_before = index.current_token()
    built_before = index.build_index(now, token=token_before)

    with committed():
        ItemFactory(title="Rota planning")
    cache.set(index.INDEX_KEY, built_before)
    index.process_copy_keep(built_before)

    assert search(employee.user, {}, now).facets.total == 2


@pytest.mark.django_db
def test_without_a_worker_commits_queue_nothing_and_the_next_reader_rebuilds_once(
    employee, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(refresh_catalog_index, "delay", lambda: pytest.fail("no worker runs it"))
    search(employee.user, {}, timezone.now())
    builds = []
    build = index.build_index
    monkeypatch.setattr(
        index.store,
        "build_index",
        lambda *args, **kwargs: builds.append(1) or build(*args, **kwargs),
    )

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            ItemFactory(topics=[TopicFactory(name=f"Topic {n}")])

    assert builds == []
    assert search(employee.user, {}, timezone.now()).facets.total == 5
    assert search(employee.user, {}, timezone.now()).facets.total == 5
    assert builds == [1]


@pytest.mark.django_db
def test_a_committed_change_is_counted_where_a_cache_failure_cannot_lose_it(
    employee, pharmacist, committed
):
    """The reviewer's case: the change's mark lost with the cache, the old index still there."""
    now = timezone.now()
    item = ItemFactory(title="Controlled drugs")
    ItemFactory(title="Hand hygiene")
    search(employee.user, {}, now)
    before = cache.get(index.INDEX_KEY)

    with committed():
        item.audiences.add(AudienceFactory(departments=[pharmacist.department]))
    cache.clear()
    cache.set(index.INDEX_KEY, before)
    index.process_copy_keep(before)

    assert search(employee.user, {}, now).facets.total == 1
    assert search(pharmacist.user, {}, now).facets.total == 2


@pytest.mark.django_db
def test_the_version_row_is_made_again_when_missing():
    CatalogVersion.objects.all().delete()  # as a flushed test database leaves it
    assert index.current_token() == 0

    index.new_token(index.TOKEN_KEY)

    assert (index.current_token(), index.current_token(index.SEARCH_TOKEN_KEY)) == (1, 1)
    index.new_token(index.SEARCH_TOKEN_KEY)
    assert (index.current_token(), index.current_token(index.SEARCH_TOKEN_KEY)) == (1, 2)


@pytest.mark.django_db
def test_a_transaction_is_counted_once_however_many_writes_it_holds(committed):
    before = index.current_token(), index.current_token(index.SEARCH_TOKEN_KEY)

    with committed():
        items = [ItemFactory(topics=[TopicFactory(name=f"Topic {n}")]) for n in range(4)]
        item_search_refresh(item_ids=[item.pk for item in items])
    once = index.current_token(), index.current_token(index.SEARCH_TOKEN_KEY)
    with committed():
        ItemFactory()

    assert once == (before[0] + 1, before[1] + 1)
    assert index.current_token() == before[0] + 2
