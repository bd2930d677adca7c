"""The widget's suggestions for a viewer: from the cache when it can, built when it must."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ..models import Variant
from .cache import (
    POOL_TTL_SECONDS,
    SEGMENT_TTL_SECONDS,
    TEAM_TTL_SECONDS,
    _cache_get_many,
    _cache_set,
    _department_key,
    _person_key,
    _segment_key,
    _team_key,
    pool_key,
)
from .pool import department_popularity, pool_build, segment_visible_restricted, team_exploring
from .ranking import DEFAULT_LIMIT, Suggestion, clamp_limit, rank_suggestions
from .viewer import Viewer, variant_for


@dataclass(frozen=True)
class WidgetResult:
    variant: str
    suggestions: tuple[Suggestion, ...]
    theme_title: str | None
    theme_url: str | None
    department_id: int | None
    # When this result must be recomputed at the latest (the next theme release).
    valid_until: datetime | None = None


def suggestions_for(
    *, viewer: Viewer, requested_variant: str | None = None, limit: int = DEFAULT_LIMIT, now=None
) -> WidgetResult:
    """The widget's suggestions for a viewer, each with its reason.

    Only items the viewer may see, published and takeable now (self-paced or a session open
    for enrollment), never what they enrolled in, completed or dismissed. The current theme
    comes first, then what their manager suggested, then relevance and popularity with
    variety across formats.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    variant = variant_for(viewer=viewer, requested=requested_variant)
    limit = clamp_limit(limit)
    bucket_key = pool_key(now)
    # The finished list for this person, keyed by everything it depends on, so that a warm
    # request neither loads the pool nor ranks it. Buckets end at local midnight, so the
    # daily rotation is unaffected.
    person_key = _person_key(bucket_key, viewer, variant, limit)
    remembered = _cache_get_many([person_key]).get(person_key)
    if remembered is not None and (remembered.valid_until is None or now < remembered.valid_until):
        return remembered
    keys = [bucket_key]
    segment_key = department_key = team_key = None
    if not viewer.is_anonymous:
        segment_key = _segment_key(bucket_key, viewer)
        keys.append(segment_key)
        if viewer.department_id:
            department_key = _department_key(viewer.department_id, today)
            keys.append(department_key)
        if variant == Variant.MANAGER and viewer.employee_pk:
            team_key = _team_key(viewer.employee_pk, today)
            keys.append(team_key)
    cached = _cache_get_many(keys)

    pool = cached.get(bucket_key)
    if pool is not None and pool.valid_until is not None and now >= pool.valid_until:
        pool = None
    if pool is None:
        pool = pool_build(now=now)
        _cache_set(bucket_key, pool, POOL_TTL_SECONDS * 2)

    def cached_or_build(key, build, timeout, empty):
        if key is None:
            return empty
        value = cached.get(key)
        if value is None:
            value = build()
            _cache_set(key, value, timeout)
        return value

    visible_restricted = cached_or_build(
        segment_key,
        lambda: segment_visible_restricted(pool=pool, viewer=viewer),
        SEGMENT_TTL_SECONDS,
        frozenset(),
    )
    dept = cached_or_build(
        department_key,
        lambda: department_popularity(department_id=viewer.department_id, now=now),
        TEAM_TTL_SECONDS,
        {},
    )
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
    )
    _cache_set(person_key, result, POOL_TTL_SECONDS)
    return result
