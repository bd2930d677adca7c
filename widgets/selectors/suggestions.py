"""The widget's suggestions for a viewer: from the cache when it can, built when it must."""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from catalog.index import cache_version
from people.models import Employee

from ..models import Variant
from .cache import (
    POOL_TTL_SECONDS,
    TEAM_TTL_SECONDS,
    _cache_get_many,
    _cache_set,
    _department_key,
    _person_key,
    _team_key,
    pool_key,
)
from .pool import (
    Pool,
    candidates_visible,
    department_popularity,
    pool_build,
    team_exploring,
    teams_exploring,
)
from .ranking import DEFAULT_LIMIT, Suggestion, clamp_limit, rank_suggestions
from .viewer import Viewer, variant_for

logger = logging.getLogger(__name__)
TEAMS_PREWARM_ASKED_KEY = "widgets:teams-prewarm-asked"

# What every viewer shares, kept in this process for the pool's bucket: the pool (hundreds
# of candidates) was fetched from Redis and unpickled on every first view, a tenth of its
# cost under load, and so was the department's popularity (a first view's only other cache
# read, for an employee). Keyed like the shared cache, so it retires with it; one bucket at
# a time.
_shared_memo: tuple[str, Pool, dict[str, dict[int, int]]] | None = None


def _memo_for(bucket_key: str) -> tuple[Pool | None, dict[str, dict[int, int]]]:
    memo = _shared_memo
    if memo is None or memo[0] != bucket_key:
        return None, {}
    return memo[1], memo[2]


def _memo_pool(bucket_key: str, pool: Pool, version: int | None) -> dict[str, dict[int, int]]:
    global _shared_memo
    departments: dict[str, dict[int, int]] = {}
    if version is not None:
        # Without the cache's catalog version (the cache is down) a catalog change would
        # not retire the key: nothing is kept then, as nothing is cached.
        _shared_memo = (bucket_key, pool, departments)
    return departments


def shared_memo_forget() -> None:
    """Drop this process's copy of the pool (tests that change the catalog under one key)."""
    global _shared_memo
    _shared_memo = None


@dataclass(frozen=True)
class WidgetResult:
    variant: str
    suggestions: tuple[Suggestion, ...]
    theme_title: str | None
    theme_url: str | None
    department_id: int | None
    # When this result must be recomputed at the latest (the next theme release or publish
    # window change).
    valid_until: datetime | None = None
    # The catalog version it was computed under (catalog.index.cache_version).
    catalog_version: int | None = None


def suggestions_for(
    *,
    viewer: Viewer,
    requested_variant: str | None = None,
    limit: int = DEFAULT_LIMIT,
    now=None,
    catalog_version: int | None = None,
    store: bool = True,
) -> WidgetResult:
    """The widget's suggestions for a viewer, each with its reason.

    Only items the viewer may see, published and takeable now (self-paced or a session open
    for enrollment), never what they enrolled in, completed or dismissed. The current theme
    comes first, then what their manager suggested, then relevance and popularity with
    variety across formats. `catalog_version` is the cache-side catalog version when the
    caller has already read it. `store=False` when the caller caches what it makes of the
    result itself (the widget caches its rendered fragment): the list is then neither
    looked up nor stored on its own.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    variant = variant_for(viewer=viewer, requested=requested_variant)
    limit = clamp_limit(limit)
    version = cache_version(catalog_version)
    bucket_key = pool_key(now, version)
    # The finished list for this person, keyed by everything it depends on, so that a warm
    # request neither loads the pool nor ranks it. Buckets end at local midnight, so the
    # daily rotation is unaffected.
    person_key = _person_key(bucket_key, viewer, variant, limit)
    pool, departments = _memo_for(bucket_key)
    if pool is not None and pool.valid_until is not None and now >= pool.valid_until:
        pool, departments = None, {}
    # One round trip for everything this person's list needs that is not in this process.
    keys = [person_key] if store else []
    if pool is None:
        keys.append(bucket_key)
    department_key = team_key = None
    if not viewer.is_anonymous:
        if viewer.department_id:
            department_key = _department_key(viewer.department_id, today)
            if department_key not in departments:
                keys.append(department_key)
        if variant == Variant.MANAGER and viewer.employee_pk:
            team_key = _team_key(viewer.employee_pk, today)
            keys.append(team_key)
    cached = _cache_get_many(keys) if keys else {}
    remembered = cached.get(person_key)
    if remembered is not None and (remembered.valid_until is None or now < remembered.valid_until):
        return remembered

    if pool is None:
        pool = cached.get(bucket_key)
        if pool is not None and pool.valid_until is not None and now >= pool.valid_until:
            pool = None
        if pool is None:
            pool = pool_build(now=now)
            _cache_set(bucket_key, pool, POOL_TTL_SECONDS * 2)
        departments = _memo_pool(bucket_key, pool, version)
    if department_key in departments:
        cached[department_key] = departments[department_key]

    def cached_or_build(key, build, timeout, empty):
        if key is None:
            return empty
        value = cached.get(key)
        if value is None:
            value = build()
            _cache_set(key, value, timeout)
        return value

    visible_restricted = candidates_visible(pool=pool, viewer=viewer)
    dept = cached_or_build(
        department_key,
        lambda: department_popularity(department_id=viewer.department_id, now=now),
        TEAM_TTL_SECONDS,
        {},
    )
    if department_key is not None:
        departments[department_key] = dept
    if team_key is not None and cached.get(team_key) is None:
        _teams_prewarm_ask(today)
    team = cached_or_build(
        team_key,
        lambda: team_exploring(manager_pk=viewer.employee_pk, now=now),
        TEAM_TTL_SECONDS,
        {},
    )

    suggestions = rank_suggestions(
        pool=pool,
        viewer=viewer,
        variant=variant,
        visible_restricted=visible_restricted,
        dept_popularity=dept,
        team_topics=team,
        limit=limit,
        now=now,
    )
    result = WidgetResult(
        variant=variant,
        suggestions=tuple(suggestions),
        theme_title=pool.theme_title,
        theme_url=pool.theme_url,
        department_id=viewer.department_id,
        valid_until=pool.valid_until,
        catalog_version=version,
    )
    if store:
        _cache_set(person_key, result, POOL_TTL_SECONDS)
    return result


def _teams_prewarm_ask(today) -> None:
    """A manager's team was not prewarmed (the worker just started, the day just turned, the
    cache was emptied): every team is computed now by the worker, rather than at beat's next
    run up to 20 minutes later, when each manager's first view would pay two queries for
    their own. Asked once a minute at most, whoever asks."""
    from ..tasks import prewarm_team_topics  # the task calls back into this module

    try:
        if not cache.add(f"{TEAMS_PREWARM_ASKED_KEY}:{today.isoformat()}", 1, 60):
            return
        prewarm_team_topics.delay()
    except Exception:  # noqa: BLE001 - cache or broker down: beat's next run prewarms them
        logger.warning("could not ask for the teams to be prewarmed")


def teams_prewarm(*, now=None) -> int:
    """Store what every manager's team is exploring today, ahead of their first widget view
    (beat: widgets.tasks.prewarm_team_topics). Returns the number of managers stored."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    teams = teams_exploring(now=now)
    managers = Employee.objects.filter(is_manager=True).values_list("pk", flat=True)
    values = {_team_key(pk, today): teams.get(pk, {}) for pk in managers.iterator()}
    try:
        cache.set_many(values, TEAM_TTL_SECONDS)
    except Exception:  # noqa: BLE001 - the cache is down: each view computes its own
        return 0
    return len(values)


def department_popularity_shared(
    *, department_id: int, now: datetime | None = None
) -> dict[int, int]:
    """`department_popularity`, the day's figure the suggestions keep in the cache: read from
    there (one round trip), built and stored once when it is not. The portal's front page
    asked the database for it on every signed-in view (a count over a department's
    enrollments of 90 days: 60 ms at 20k employees)."""
    now = now or timezone.now()
    key = _department_key(department_id, timezone.localdate(now))
    value = _cache_get_many([key]).get(key)
    if value is None:
        value = department_popularity(department_id=department_id, now=now)
        _cache_set(key, value, TEAM_TTL_SECONDS)
    return value
