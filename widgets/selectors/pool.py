"""The shared parts: the candidate pool and what segments, departments and teams add to it.

The pool (published items that can be taken now, with the facts the rules need) is the same
for everyone; per audience segment, which restricted pool items it may see (the catalog's own
visibility rule, never a copy of it); per department, what is popular there, and per
manager, what their team is exploring (only for groups of at least 5 people).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Min, Q, Window
from django.db.models.functions import RowNumber

from catalog.models import Item
from catalog.selectors import item_list_visible_to
from catalog.sessions import enrollment_open_q, sessions_ahead
from catalog.visibility import next_publication_change, published_q, restricted_item
from circles.selectors import CircleStart, circle_starts_by_item
from enrollment.aggregates import (
    department_item_popularity,
    team_topic_interest,
    teams_topic_interest,
)
from learning_portal.core.privacy import count_is_shareable, group_size_floor
from people.models import Employee
from people.selectors import employee_team, team_sizes
from themes.selectors import theme_get_current, theme_item_ids, theme_list_upcoming_releases

from .viewer import Viewer

POPULAR_POOL_SIZE = 150
PER_TOPIC_POOL_SIZE = 15
NEW_DAYS = 7


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
    # The language it is taught in (a two-letter code).
    language: str = "en"
    # A learning circle's catalog entry, open for sign-up: what it is on and when it starts.
    circle: CircleStart | None = None


@dataclass(frozen=True)
class Pool:
    candidates: tuple[Candidate, ...]
    theme_title: str | None
    theme_url: str | None
    topic_names: dict[int, str]
    # The next theme release: the pool is rebuilt then, so the new theme leads at once.
    valid_until: datetime | None = None


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
    open_sessions = sessions_ahead(now).filter(enrollment_open_q(now))
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
    # Circles about to start are offered whatever their popularity: they are time-bound.
    circle_starts = circle_starts_by_item(now=now)
    ids.update(base.filter(pk__in=list(circle_starts)).values_list("pk", flat=True))

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
        sessions_ahead(now)
        .filter(item_id__in=ids)
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
            language=item.language,
            circle=circle_starts.get(item.pk),
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
            "language",
        )
    )
    return Pool(
        candidates=candidates,
        theme_title=theme[0] if theme else None,
        theme_url=theme[1] if theme else None,
        topic_names=topic_names,
        # Rebuilt at the next theme release, publish window change and circle start, when
        # what it holds changes with no write (writes raise the catalog version, which keys it).
        valid_until=min(
            (
                m
                for m in (
                    _next_release(now),
                    next_publication_change(now=now),
                    min((c.starts_at for c in circle_starts.values()), default=None),
                )
                if m is not None
            ),
            default=None,
        ),
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
    """Item → people of the department who enrolled in it (last 90 days), for the items
    "Popular in {department}" may rest on: at least group_size_floor() people enrolled and
    at least as many did not (core.privacy.count_is_shareable)."""
    size = Employee.objects.filter(department_id=department_id, user__is_active=True).count()
    if size < group_size_floor():
        return {}
    counts = department_item_popularity(department_id=department_id, since=now - timedelta(days=90))
    return {
        item_id: people
        for item_id, people in counts.items()
        if count_is_shareable(count=people, group_size=size)
    }


def team_exploring(*, manager_pk: int, now: datetime) -> dict[int, int]:
    """Topic → how many direct reports enrolled in it lately, for topics at least
    group_size_floor() of them explored and at least as many did not.

    Counts are over people, not enrollments, and only ever shown as a topic name: a manager
    never learns who on their team is learning what.
    """
    team = employee_team(manager=manager_pk)
    size = team.count()
    floor = group_size_floor()
    if size < floor:
        return {}
    counts = team_topic_interest(
        user_ids=team.values("user_id"), since=now - timedelta(days=90), min_people=floor
    )
    # "Your team is exploring …" for a whole small team would say what each of them did.
    return {
        topic_id: people
        for topic_id, people in counts.items()
        if count_is_shareable(count=people, group_size=size)
    }


def teams_exploring(*, now: datetime) -> dict[int, dict[int, int]]:
    """`team_exploring` for every manager with a team, in two queries (manager employee id →
    topic → people): computed ahead for everyone, a manager's first widget view of the day
    then needs no queries of its own for it. Managers left out have nothing to show."""
    since = now - timedelta(days=90)
    sizes = team_sizes()
    floor = group_size_floor()
    teams = {}
    for manager_pk, counts in teams_topic_interest(since=since, min_people=floor).items():
        size = sizes.get(manager_pk, 0)
        if size < floor:
            continue
        shown = {
            topic_id: people
            for topic_id, people in counts.items()
            if count_is_shareable(count=people, group_size=size)
        }
        if shown:
            teams[manager_pk] = shown
    return teams
