"""The catalog index (catalog.index) against its SQL definition, its freshness and its reuse.

The reference for both membership and order is `ItemFilterSet(...).qs` over
`item_list_for_catalog`: the page must list exactly what SQL would, in the same order.
"""

import datetime as dt
import gc
import weakref

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils import timezone

from catalog import index
from catalog.filters import ItemFilterSet
from catalog.models import CatalogVersion, Item, Offering
from catalog.selectors import item_catalog_search, item_list_for_catalog
from catalog.services import item_search_refresh
from catalog.tasks import refresh_catalog_index
from enrollment.services import item_popularity_refresh
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.catalog.helpers import reference_counts
from tests.enrollment.factories import EnrollmentFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory

MINUTE = dt.timedelta(minutes=1)
TITLES = ("Hand hygiene", "Rota planning", "Hand hygiene refresher", "Sepsis and hygiene")


def search(user, params, now):
    """`item_catalog_search` as the catalog view calls it."""
    filterset = ItemFilterSet(params, queryset=Item.objects.none(), now=now)
    return item_catalog_search(
        user=user,
        term=filterset.term,
        conditions=filterset.conditions(),
        selected=filterset.selected(),
        sort=filterset.form.cleaned_data.get("sort") or "",
        now=now,
    )


def sql_pks(user, params, now):
    queryset = item_list_for_catalog(user=user, now=now)
    return list(ItemFilterSet(params, queryset=queryset, now=now).qs.values_list("pk", flat=True))


def page_pks(found, start=0, stop=None):
    return [item.pk for item in found.results[start : found.facets.total if stop is None else stop]]


def assert_same_as_sql(user, params, now):
    found = search(user, params, now)
    expected = sql_pks(user, params, now)
    assert found.facets.total == len(expected)
    assert page_pks(found) == expected
    return found, expected


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Commits what the block writes, as far as commit callbacks go: the index's token moves."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def pharmacist():
    return EmployeeFactory(department=DepartmentFactory(name="Pharmacy"))


@pytest.fixture
def ordered_catalog(pharmacist):
    """Repeated titles, popularity and creation times, shared session times: every tie-break."""
    now = timezone.now()
    topics = [TopicFactory(name="Safety", slug="safety"), TopicFactory(name="Care", slug="care")]
    restricted = AudienceFactory(departments=[pharmacist.department])
    items = []
    for n in range(30):
        item = ItemFactory(
            title=TITLES[n % 4],
            slug=f"item-{n}",
            summary="Covers hygiene on the rota." if n % 8 == 1 else "A short summary.",
            format=Item.Format.values[n % 3],
            level=Item.Level.values[n % 3],
            language=("en", "fr")[n % 2],
            provider=("Academy", "College", "")[n % 4 % 3],
            topics=topics[: n % 3],
            audiences=[restricted] if n % 7 == 3 else [],
        )
        days = (None, 2, 20, 60, 2)[n % 5]  # 1 and 4 share a start time: ties by title, pk
        if days:
            OfferingFactory(item=item, starts_at=now + dt.timedelta(days=days))
        if n % 10 == 0:  # neither a past nor a cancelled session counts
            OfferingFactory(item=item, starts_at=now - dt.timedelta(days=1))
            OfferingFactory(item=item, starts_at=now + MINUTE, status=Offering.Status.CANCELLED)
        items.append(item)
    ItemFactory(title="Hand hygiene draft", is_published=False)
    ItemFactory(title="Hand hygiene later", publish_start=now + dt.timedelta(days=1))
    for value in range(3):
        Item.objects.filter(pk__in=[i.pk for i in items[value::3]]).update(popularity=value)
    for n, item in enumerate(items):  # n and n + 25 are created at the same moment
        created = now - dt.timedelta(minutes=(n * 7) % 25)
        Item.objects.filter(pk=item.pk).update(created_at=created)
    item_search_refresh(item_ids=Item.objects.values("pk"))
    index.catalog_changed()
    return now


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
def test_cached_term_matches_outlive_catalog_writes_that_do_not_change_search(employee, committed):
    now = timezone.now()
    item = ItemFactory(title="Hand hygiene")
    item_search_refresh(item_ids=[item.pk])
    search(employee.user, {"q": "hygiene"}, now)
    with committed():
        OfferingFactory(item=item, starts_at=now + dt.timedelta(days=3))
        item.is_published = False
        item.save()
        item.is_published = True
        item.save()

    # The index is rebuilt for the new session (its queries), but "hygiene" is not searched.
    searched = search(employee.user, {"q": "hygiene", "starts": "7"}, now)
    assert searched.facets.total == 1
    term_key = index.term_cache_key(index.catalog_index(now), "hygiene")
    assert cache.get(term_key) is not None

    with committed():
        item_search_refresh(item_ids=[item.pk])
    assert cache.get(index.term_cache_key(index.catalog_index(now), "hygiene")) is None


@pytest.mark.django_db
def test_refresh_task_matches_recent_terms_again_after_search_documents_change(
    employee, django_assert_num_queries, committed
):
    now = timezone.now()
    ItemFactory(title="Hand hygiene")
    ItemFactory(title="Rota planning")
    item_search_refresh(item_ids=Item.objects.values("pk"))
    for term in ("hygiene", "Rota  Planning", "hygiene"):
        search(employee.user, {"q": term}, now)
    assert cache.get(index.RECENT_TERMS_KEY) == ["rota planning", "hygiene"]

    with committed():
        item = ItemFactory(title="Hygiene audits")
        item_search_refresh(item_ids=[item.pk])
    refresh_catalog_index.apply()  # what the commit queues for the worker
    index.forget_process_copies()

    # Version and audiences only: the index and the term's new matches were ready.
    with django_assert_num_queries(2):
        assert search(employee.user, {"q": "hygiene"}, timezone.now()).facets.total == 2
    # A later run has nothing left to match.
    assert index.prewarm_recent_terms(index.catalog_index()) == 0


@pytest.mark.django_db
def test_prewarming_stops_at_its_time_budget(employee):
    ItemFactory(title="Hand hygiene")
    cache.set(index.RECENT_TERMS_KEY, ["hand", "hygiene"])

    assert index.prewarm_recent_terms(index.catalog_index(), budget_seconds=-1) == 0
    assert index.prewarm_recent_terms(index.catalog_index()) == 2


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
def test_a_remembered_term_does_not_keep_an_old_index_alive(employee, committed):
    ItemFactory(title="Hand hygiene")
    item_search_refresh(item_ids=Item.objects.values("pk"))
    search(employee.user, {"q": "hygiene"}, timezone.now())
    first = weakref.ref(index.process_copy())

    with committed():
        ItemFactory(title="Rota planning")
    search(employee.user, {"q": "rota"}, timezone.now())  # placed in the new index
    gc.collect()

    assert first() is None
    assert index.remembered_term_count() == 2  # "hygiene" is remembered, its old placement is not


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
