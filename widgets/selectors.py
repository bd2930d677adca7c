"""'Suggested for you': which items the widget shows a person, and why.

The widget renders on every intranet page view, so the work is split by how widely it can be
shared:
- a candidate pool for everyone (published items that can be taken now, with the facts the
  rules need), cached for a few minutes;
- per audience segment, which restricted pool items the segment may see (computed with the
  catalog's own visibility rule, never a copy of it);
- per department, what is popular there (only for departments of at least 5 people);
- per manager, what their team is exploring (only for teams of at least 5 people);
- per person, one query: what they already enrolled in, completed or dismissed, what their
  manager suggested, their groups and interests.
Everything cached is rebuilt from the database when the cache is cold or down.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Min, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from catalog.models import Item, Offering
from catalog.selectors import item_list_visible_to
from catalog.visibility import published_q, restricted_item
from enrollment.aggregates import (
    ENGAGED_STATUSES,
    department_item_popularity,
    people_enrolled_counts,
    team_topic_interest,
)
from enrollment.models import Enrollment
from learning_portal.core.privacy import MIN_GROUP_SIZE
from people.models import Employee
from themes.selectors import theme_get_current, theme_item_ids, theme_list_upcoming_releases

from .models import Dismissal, TeamSuggestion, Variant

logger = logging.getLogger(__name__)

POOL_TTL_SECONDS = 5 * 60
SEGMENT_TTL_SECONDS = 10 * 60
TEAM_TTL_SECONDS = 60 * 60
DEFAULT_LIMIT = 4
MAX_LIMIT = 6
MIN_LIMIT = 3
POPULAR_POOL_SIZE = 150
PER_TOPIC_POOL_SIZE = 15
NEW_DAYS = 7
MAX_THEME_SLOTS = 2
MAX_MANAGER_SUGGESTION_SLOTS = 2
CACHE_VERSION = "v1"

REASON_THEME = "This month's theme: {title}"
REASON_MANAGER_SUGGESTED = "Suggested by your manager"
REASON_LEADERS = "For people leaders"
REASON_TEAM = "Your team is exploring {topic}"
REASON_INTEREST = "Matches your interest in {topic}"
REASON_DEPARTMENT = "Popular in {department}"
REASON_NEW = "New this week"
REASON_POPULAR = "Popular with colleagues"


@dataclass(frozen=True)
class Candidate:
    id: int
    title: str
    slug: str
    format: str
    format_label: str
    duration: str
    summary: str
    popularity: int
    created_at: datetime
    topic_ids: tuple[int, ...]
    restricted: bool
    leadership: bool
    theme_position: int | None
    next_session: datetime | None


@dataclass(frozen=True)
class Pool:
    candidates: tuple[Candidate, ...]
    theme_title: str | None
    theme_url: str | None
    topic_names: dict[int, str]
    # The next theme release: the pool is rebuilt then, so the new theme leads at once.
    valid_until: datetime | None = None


@dataclass(frozen=True)
class Suggestion:
    item_id: int
    title: str
    slug: str
    format: str
    format_label: str
    duration: str
    summary: str
    reason: str
    kind: str
    next_session: datetime | None


@dataclass
class Viewer:
    """Who the widget is for. Built from an already-loaded user (with employee)."""

    user_id: int | None = None
    employee_pk: int | None = None
    department_id: int | None = None
    department_name: str = ""
    role_id: int | None = None
    is_manager: bool = False
    group_ids: tuple[int, ...] = ()
    interest_ids: frozenset[int] = frozenset()
    excluded_item_ids: frozenset[int] = frozenset()
    manager_suggested_ids: frozenset[int] = frozenset()
    user: object = field(default=None, repr=False)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True)
class WidgetResult:
    variant: str
    suggestions: tuple[Suggestion, ...]
    theme_title: str | None
    theme_url: str | None
    department_id: int | None
    # When this result must be recomputed at the latest (the next theme release).
    valid_until: datetime | None = None


# -- The cache, which may be down: every read and write is allowed to fail. -------------------


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001
        logger.warning("widget cache unavailable; rendering from the database")
        return {}


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("widget cache unavailable; not caching %s", key)


# -- The viewer ---------------------------------------------------------------------------------


@functools.cache
def _personal_sql() -> str:
    """The personal UNION as one static statement, assembled once per process.

    It runs on every widget view, where compiling five ORM querysets cost more than the
    query itself, so it is built from the models' tables and reused with parameters. What
    counts as "already engaged" still comes from the enrollment app (ENGAGED_STATUSES).
    """
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    statuses = ", ".join(["%s"] * len(ENGAGED_STATUSES))
    return " UNION ALL ".join(
        [
            f"SELECT item_id, 'x' FROM {table(Enrollment)} "
            f"WHERE user_id = %s AND status IN ({statuses})",
            f"SELECT item_id, 'x' FROM {table(Dismissal)} WHERE user_id = %s",
            f"SELECT group_id, 'g' FROM {table(get_user_model().groups.through)} "
            "WHERE user_id = %s",
            f"SELECT topic_id, 'i' FROM {table(Employee.interests.through)} WHERE employee_id = %s",
            f"SELECT item_id, 's' FROM {table(TeamSuggestion)} "
            "WHERE manager_id = %s AND expires_at > %s",
        ]
    )


def viewer_for(*, user, now: datetime | None = None) -> Viewer:
    """Everything personal the rules need, in one query (a UNION of small indexed reads):
    what the person enrolled in, completed or dismissed, their groups and interests, and
    what their manager suggested."""
    if user is None or not user.is_authenticated:
        return Viewer()
    now = now or timezone.now()
    employee = getattr(user, "employee", None)
    params = [
        user.pk,
        *[status.value for status in ENGAGED_STATUSES],
        user.pk,
        user.pk,
        employee.pk if employee else None,
        employee.manager_id if employee else None,
        now,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_personal_sql(), params)
        rows = cursor.fetchall()
    excluded, groups, interests, suggested = set(), set(), set(), set()
    buckets = {"x": excluded, "g": groups, "i": interests, "s": suggested}
    for value, kind in rows:
        buckets[kind].add(value)
    return Viewer(
        user_id=user.pk,
        employee_pk=employee.pk if employee else None,
        department_id=employee.department_id if employee else None,
        department_name=employee.department.name if employee and employee.department else "",
        role_id=employee.role_id if employee else None,
        is_manager=bool(employee and employee.is_manager),
        group_ids=tuple(sorted(groups)),
        interest_ids=frozenset(interests),
        excluded_item_ids=frozenset(excluded),
        manager_suggested_ids=frozenset(suggested - excluded),
        user=user,
    )


# -- Shared, cached parts -----------------------------------------------------------------------


def pool_key(now: datetime) -> str:
    # Bucketed by time so a theme release or a new item shows within POOL_TTL_SECONDS.
    bucket = int(now.timestamp()) // POOL_TTL_SECONDS
    return f"widgets:pool:{CACHE_VERSION}:{bucket}"


def _segment_key(pool_key: str, viewer: Viewer) -> str:
    signature = f"{viewer.department_id}:{viewer.role_id}:{int(viewer.is_manager)}:" + ",".join(
        map(str, viewer.group_ids)
    )
    digest = hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{pool_key}:seg:{digest}"


def _department_key(department_id: int, today: date) -> str:
    return f"widgets:dept:{CACHE_VERSION}:{department_id}:{today.isoformat()}"


def _team_key(manager_pk: int, today: date) -> str:
    return f"widgets:team:{CACHE_VERSION}:{manager_pk}:{today.isoformat()}"


def _current_theme(now: datetime):
    """(title, url, [item ids in order]) of the current theme, or None."""
    theme = theme_get_current(now=now)
    if theme is None:
        return None
    return theme.title, theme.get_absolute_url(), list(theme_item_ids(theme=theme))


def _next_release(now: datetime) -> datetime | None:
    return (
        theme_list_upcoming_releases(now=now)
        .order_by("release_at")
        .values_list("release_at", flat=True)
        .first()
    )


def _takeable_now_q(now: datetime) -> Q:
    """Self-paced, or with a session open for enrollment right now."""
    open_sessions = Offering.objects.filter(
        status=Offering.Status.SCHEDULED, starts_at__gt=now
    ).filter(
        Q(enrollment_opens_at__isnull=True) | Q(enrollment_opens_at__lte=now),
        Q(enrollment_closes_at__isnull=True) | Q(enrollment_closes_at__gt=now),
    )
    return Q(delivery=Item.Delivery.SELF_PACED) | Q(pk__in=open_sessions.values("item_id"))


def pool_build(*, now: datetime) -> Pool:
    """The candidate pool: theme items, popular, new, leadership and top items per topic."""
    base = Item.objects.filter(published_q(now)).filter(_takeable_now_q(now))
    theme = _current_theme(now)
    theme_ids = theme[2] if theme else []
    leadership_slugs = settings.WIDGET_LEADERSHIP_TOPICS
    ids: set[int] = set(base.filter(pk__in=theme_ids).values_list("pk", flat=True))
    ids.update(base.order_by("-popularity", "pk").values_list("pk", flat=True)[:POPULAR_POOL_SIZE])
    ids.update(
        base.filter(created_at__gte=now - timedelta(days=NEW_DAYS)).values_list("pk", flat=True)[
            :50
        ]
    )
    ids.update(
        base.filter(Q(topics__slug__in=leadership_slugs) | Q(audiences__managers_only=True))
        .order_by("-popularity", "pk")
        .values_list("pk", flat=True)[:60]
    )
    per_topic = (
        Item.topics.through.objects.filter(item__in=base)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("topic_id")],
                order_by=[F("item__popularity").desc(), F("item_id")],
            )
        )
        .filter(rank__lte=PER_TOPIC_POOL_SIZE)
        .values_list("item_id", flat=True)
    )
    ids.update(per_topic)

    through = Item.topics.through.objects.filter(item_id__in=ids).values_list(
        "item_id", "topic_id", "topic__name", "topic__slug"
    )
    topics_of: dict[int, list[int]] = {}
    topic_names: dict[int, str] = {}
    leadership_ids: set[int] = set()
    for item_id, topic_id, topic_name, topic_slug in through:
        topics_of.setdefault(item_id, []).append(topic_id)
        topic_names[topic_id] = topic_name
        if topic_slug in leadership_slugs:
            leadership_ids.add(item_id)
    restricted_ids = set(
        Item.objects.filter(restricted_item(), pk__in=ids).values_list("pk", flat=True)
    )
    leadership_ids.update(
        Item.audiences.through.objects.filter(
            item_id__in=ids, audience__managers_only=True
        ).values_list("item_id", flat=True)
    )
    next_sessions = dict(
        Offering.objects.filter(
            item_id__in=ids, status=Offering.Status.SCHEDULED, starts_at__gt=now
        )
        .values("item_id")
        .annotate(first=Min("starts_at"))
        .values_list("item_id", "first")
    )
    theme_position = {item_id: position for position, item_id in enumerate(theme_ids)}
    candidates = tuple(
        Candidate(
            id=item.pk,
            title=item.title,
            slug=item.slug,
            format=item.format,
            format_label=item.get_format_display(),
            duration=item.duration_display,
            summary=item.summary,
            popularity=item.popularity,
            created_at=item.created_at,
            topic_ids=tuple(sorted(topics_of.get(item.pk, ()))),
            restricted=item.pk in restricted_ids,
            leadership=item.pk in leadership_ids,
            theme_position=theme_position.get(item.pk),
            next_session=next_sessions.get(item.pk),
        )
        for item in Item.objects.filter(pk__in=ids).only(
            "pk",
            "title",
            "slug",
            "format",
            "summary",
            "duration_minutes",
            "popularity",
            "created_at",
        )
    )
    return Pool(
        candidates=candidates,
        theme_title=theme[0] if theme else None,
        theme_url=theme[1] if theme else None,
        topic_names=topic_names,
        valid_until=_next_release(now),
    )


def segment_visible_restricted(*, pool: Pool, viewer: Viewer) -> frozenset[int]:
    """Restricted pool items this viewer's segment may see, by the catalog's own rule."""
    restricted = [c.id for c in pool.candidates if c.restricted]
    if not restricted or viewer.user is None:
        return frozenset()
    return frozenset(
        item_list_visible_to(user=viewer.user)
        .filter(pk__in=restricted)
        .values_list("pk", flat=True)
    )


def department_popularity(*, department_id: int, now: datetime) -> dict[int, int]:
    """Item → enrollments by the department's people (last 90 days), if the department has ≥ 5."""
    size = Employee.objects.filter(department_id=department_id, user__is_active=True).count()
    if size < MIN_GROUP_SIZE:
        return {}
    return department_item_popularity(department_id=department_id, since=now - timedelta(days=90))


def team_exploring(*, manager_pk: int, now: datetime) -> dict[int, int]:
    """Topic → how many direct reports enrolled in it lately; empty for teams under 5 people.

    Counts are over people, not enrollments, and only ever shown as a topic name: a manager
    never learns who on their team is learning what.
    """
    team = Employee.objects.filter(manager_id=manager_pk, user__is_active=True)
    if team.count() < MIN_GROUP_SIZE:
        return {}
    return team_topic_interest(
        user_ids=team.values("user_id"), since=now - timedelta(days=90), min_people=2
    )


# -- Ranking ------------------------------------------------------------------------------------


def _jitter(viewer_key: str, today: date, item_id: int) -> float:
    """Stable for a person within a day, different across days: rotates what is shown."""
    digest = hashlib.sha1(
        f"{viewer_key}:{today.isoformat()}:{item_id}".encode(), usedforsecurity=False
    ).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def _rank(
    *,
    pool: Pool,
    viewer: Viewer,
    variant: str,
    visible_restricted: frozenset[int],
    dept_popularity: dict[int, int],
    team_topics: dict[int, int],
    limit: int,
    now: datetime,
) -> list[Suggestion]:
    today = timezone.localdate(now)
    viewer_key = str(viewer.user_id or "anonymous")
    scored = []
    max_pop = max((c.popularity for c in pool.candidates), default=0) or 1
    for c in pool.candidates:
        if c.restricted and c.id not in visible_restricted:
            continue
        if c.id in viewer.excluded_item_ids:
            continue
        jitter = _jitter(viewer_key, today, c.id)
        score = 0.35 * (c.popularity / max_pop) + 0.4 * jitter
        reason, kind = REASON_POPULAR, "popular"
        if c.created_at >= now - timedelta(days=NEW_DAYS):
            score += 0.2
            reason, kind = REASON_NEW, "new"
        dept_count = dept_popularity.get(c.id, 0)
        if dept_count >= 2 and viewer.department_name:
            score += 0.3 + min(dept_count, 20) / 40
            reason, kind = REASON_DEPARTMENT.format(department=viewer.department_name), "dept"
        interest = next((t for t in c.topic_ids if t in viewer.interest_ids), None)
        if interest is not None:
            score += 0.5
            reason, kind = REASON_INTEREST.format(topic=pool.topic_names[interest]), "interest"
        if variant == Variant.MANAGER:
            team_topic = max(
                (t for t in c.topic_ids if t in team_topics), key=team_topics.get, default=None
            )
            if team_topic is not None:
                score += 0.6
                reason, kind = REASON_TEAM.format(topic=pool.topic_names[team_topic]), "team"
            if c.leadership:
                score += 0.8
                reason, kind = REASON_LEADERS, "leaders"
        elif c.leadership and c.restricted:
            # Manager-only items belong to the manager variant.
            continue
        tier = 2
        if c.id in viewer.manager_suggested_ids:
            tier, reason, kind = 1, REASON_MANAGER_SUGGESTED, "manager_suggested"
        if c.theme_position is not None:
            tier, reason, kind = 0, REASON_THEME.format(title=pool.theme_title), "theme"
        scored.append((tier, -score, c, reason, kind))
    scored.sort(key=lambda row: (row[0], row[1], row[2].id))

    chosen: list[tuple] = []
    taken: set[int] = set()
    theme_rows = [row for row in scored if row[0] == 0][:MAX_THEME_SLOTS]
    suggested_rows = [row for row in scored if row[0] == 1][:MAX_MANAGER_SUGGESTION_SLOTS]
    for row in theme_rows + suggested_rows:
        if len(chosen) < limit:
            chosen.append(row)
            taken.add(row[2].id)
    # Variety: prefer a format not shown yet, then fill up with the best of the rest.
    formats = {row[2].format for row in chosen}
    rest = [row for row in scored if row[2].id not in taken and row[0] == 2]
    for row in rest:
        if len(chosen) >= limit:
            break
        if row[2].format not in formats:
            chosen.append(row)
            taken.add(row[2].id)
            formats.add(row[2].format)
    for row in rest:
        if len(chosen) >= limit:
            break
        if row[2].id not in taken:
            chosen.append(row)
            taken.add(row[2].id)
    return [
        Suggestion(
            item_id=c.id,
            title=c.title,
            slug=c.slug,
            format=c.format,
            format_label=c.format_label,
            duration=c.duration,
            summary=c.summary,
            reason=reason,
            kind=kind,
            next_session=c.next_session,
        )
        for _, _, c, reason, kind in chosen
    ]


def clamp_limit(value) -> int:
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT
    return max(MIN_LIMIT, min(MAX_LIMIT, limit))


def variant_for(*, viewer: Viewer, requested: str | None) -> str:
    """The variant a viewer gets: the manager variant only for people with the manager flag."""
    if viewer.is_anonymous:
        return Variant.GENERIC
    if requested == Variant.EMPLOYEE:
        return Variant.EMPLOYEE
    if viewer.is_manager and requested in (None, "", Variant.MANAGER):
        return Variant.MANAGER
    return Variant.EMPLOYEE


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

    suggestions = _rank(
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


def _person_key(pool_key: str, viewer: Viewer, variant: str, limit: int) -> str:
    if viewer.is_anonymous:
        return f"{pool_key}:generic:{limit}"
    signature = repr(
        (
            variant,
            limit,
            viewer.department_id,
            viewer.role_id,
            viewer.is_manager,
            viewer.group_ids,
            sorted(viewer.interest_ids),
            sorted(viewer.excluded_item_ids),
            sorted(viewer.manager_suggested_ids),
        )
    )
    digest = hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()[:20]
    return f"{pool_key}:person:{viewer.user_id}:{digest}"


@dataclass(frozen=True)
class TeamUptake:
    team_size: int
    # {"suggestion", "active", "uptake"}; uptake is None for teams under MIN_GROUP_SIZE.
    rows: list[dict]


def team_suggestions_with_uptake(*, manager: Employee, now=None) -> TeamUptake:
    """A manager's suggestions, with uptake as a count over the team (teams of ≥ 5 only)."""
    now = now or timezone.now()
    team_user_ids = list(
        Employee.objects.filter(manager=manager, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )
    suggestions = list(TeamSuggestion.objects.filter(manager=manager).select_related("item"))
    uptake: dict[int, int] | None = None
    if len(team_user_ids) >= MIN_GROUP_SIZE:
        uptake = people_enrolled_counts(
            user_ids=team_user_ids,
            since_by_item={s.item_id: s.created_at for s in suggestions},
        )
    rows = [
        {
            "suggestion": suggestion,
            "active": suggestion.expires_at > now,
            "uptake": None if uptake is None else uptake.get(suggestion.item_id, 0),
        }
        for suggestion in suggestions
    ]
    return TeamUptake(team_size=len(team_user_ids), rows=rows)
