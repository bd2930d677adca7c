"""Ranking the pool for one viewer: what to show, in which order, and why."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.utils import timezone

from learning_portal.core.languages import organisation_language

from ..models import Variant
from .pool import NEW_DAYS, Candidate, Pool
from .viewer import Viewer

DEFAULT_LIMIT = 4
MAX_LIMIT = 6
MIN_LIMIT = 3
MAX_THEME_SLOTS = 2
MAX_MANAGER_SUGGESTION_SLOTS = 2

REASON_THEME = "This month's theme: {title}"
REASON_MANAGER_SUGGESTED = "Suggested by your manager"
REASON_LEADERS = "For people leaders"
REASON_TEAM = "Your team is exploring {topic}"
REASON_INTEREST = "Matches your interest in {topic}"
REASON_DEPARTMENT = "Popular in {department}"
REASON_NEW = "New this week"
REASON_POPULAR = "Popular with colleagues"
REASON_CIRCLE = "A circle on {subject} starts {day}"


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


def _jitter_for(viewer_key: str, today: date):
    """item id → a number in [0, 1), stable for a person within a day and different across
    days: it rotates what is shown. The hash of the common prefix is computed once per
    ranking (a few hundred candidates per first view)."""
    prefix = hashlib.sha1(f"{viewer_key}:{today.isoformat()}:".encode(), usedforsecurity=False)

    def jitter(item_id: int) -> float:
        digest = prefix.copy()
        digest.update(str(item_id).encode())
        return int.from_bytes(digest.digest()[:4], "big") / 2**32

    return jitter


@dataclass(frozen=True)
class Weights:
    """What each signal adds to a candidate's score; within a tier the highest score leads."""

    # x the item's popularity relative to the pool's most popular item.
    popularity: float = 0.35
    # x the day's jitter (0 to 1): what a person is shown changes from day to day.
    rotation: float = 0.4
    # Created in the last NEW_DAYS.
    new: float = 0.2
    # Taken by at least DEPARTMENT_MIN_COLLEAGUES people of the person's department, plus a
    # bonus growing with each colleague up to `department_bonus_max` at the cap.
    department: float = 0.3
    department_bonus_max: float = 0.5
    department_colleagues_cap: int = 20
    # About a topic the person chose as an interest.
    interest: float = 0.5
    # Manager variant: about a topic the manager's team is exploring; for people leaders.
    team: float = 0.6
    leadership: float = 0.8
    # A learning circle open for sign-up leads the ranked ones: it starts on a date and has
    # few seats. Circles share one format, so variety keeps it to about one a widget.
    circle: float = 1.0
    # Taught in the language the person prefers to learn in; as much is taken off an item in
    # any other language, so it is suggested only when little else fits.
    language: float = 0.6


WEIGHTS = Weights()
DEPARTMENT_MIN_COLLEAGUES = 2


class Tier(IntEnum):
    """The order slots are filled in: the theme, then manager suggestions, then the rest."""

    THEME = 0
    MANAGER_SUGGESTED = 1
    RANKED = 2


class Scored(NamedTuple):
    # A tuple rather than a frozen dataclass: one is made per candidate of every ranking.
    tier: Tier
    score: float
    candidate: Candidate
    reason: str
    kind: str

    @property
    def order(self) -> tuple:
        return (self.tier, -self.score, self.candidate.id)


def _scored(
    c: Candidate,
    *,
    pool: Pool,
    viewer: Viewer,
    variant: str,
    dept_popularity: dict[int, int],
    team_topics: dict[int, int],
    max_popularity: int,
    jitter: float,
    new_since: datetime,
    now: datetime,
    language: str,
    weights: Weights = WEIGHTS,
) -> Scored | None:
    """The candidate's tier, score and the reason shown for it; None when it is left out."""
    score = weights.popularity * (c.popularity / max_popularity) + weights.rotation * jitter
    score += weights.language if c.language == language else -weights.language
    reason, kind = REASON_POPULAR, "popular"
    if c.created_at >= new_since:
        score += weights.new
        reason, kind = REASON_NEW, "new"
    dept_count = dept_popularity.get(c.id, 0)
    if dept_count >= DEPARTMENT_MIN_COLLEAGUES and viewer.department_name:
        cap = weights.department_colleagues_cap
        score += weights.department + weights.department_bonus_max * min(dept_count, cap) / cap
        reason, kind = REASON_DEPARTMENT.format(department=viewer.department_name), "dept"
    interest = None
    if not viewer.interest_ids.isdisjoint(c.topic_ids):
        interest = next(t for t in c.topic_ids if t in viewer.interest_ids)
    if interest is not None:
        score += weights.interest
        reason, kind = REASON_INTEREST.format(topic=pool.topic_names[interest]), "interest"
    if variant == Variant.MANAGER:
        team_topic = max(
            (t for t in c.topic_ids if t in team_topics), key=team_topics.get, default=None
        )
        if team_topic is not None:
            score += weights.team
            reason, kind = REASON_TEAM.format(topic=pool.topic_names[team_topic]), "team"
        if c.leadership:
            score += weights.leadership
            reason, kind = REASON_LEADERS, "leaders"
    elif c.leadership and c.restricted:
        # Manager-only items belong to the manager variant.
        return None
    if c.circle is not None and c.circle.starts_at > now:
        score += weights.circle
        day = starts_phrase(c.circle.starts_at, c.circle.timezone, now)
        reason, kind = REASON_CIRCLE.format(subject=c.circle.subject, day=day), "circle"
    tier = Tier.RANKED
    # A manager's suggestion outranks the theme for the same item: as a theme item beyond
    # the theme's slots it would otherwise never reach the team.
    if c.id in viewer.manager_suggested_ids:
        tier, reason, kind = Tier.MANAGER_SUGGESTED, REASON_MANAGER_SUGGESTED, "manager_suggested"
    elif c.theme_position is not None:
        tier, reason, kind = Tier.THEME, REASON_THEME.format(title=pool.theme_title), "theme"
    return Scored(tier=tier, score=score, candidate=c, reason=reason, kind=kind)


def starts_phrase(starts_at: datetime, zone: str, now: datetime) -> str:
    """When a circle starts, as people say it, in the zone it meets in: today, tomorrow, a
    weekday within the week ahead, else the date."""
    tz = ZoneInfo(zone)
    local = starts_at.astimezone(tz)
    days = (local.date() - now.astimezone(tz).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 7:
        return f"{local:%A}"
    return f"on {local.day} {local:%B}"


def _chosen(scored: list[Scored], limit: int) -> list[Scored]:
    """The theme's and the manager's slots first, then variety across formats, then the best."""
    chosen: list[Scored] = []
    taken: set[int] = set()
    theme = [row for row in scored if row.tier == Tier.THEME][:MAX_THEME_SLOTS]
    suggested = [row for row in scored if row.tier == Tier.MANAGER_SUGGESTED]
    for row in theme + suggested[:MAX_MANAGER_SUGGESTION_SLOTS]:
        if len(chosen) < limit:
            chosen.append(row)
            taken.add(row.candidate.id)
    # Variety: prefer a format not shown yet, then fill up with the best of the rest.
    formats = {row.candidate.format for row in chosen}
    rest = [row for row in scored if row.candidate.id not in taken and row.tier == Tier.RANKED]
    for row in rest:
        if len(chosen) >= limit:
            break
        if row.candidate.format not in formats:
            chosen.append(row)
            taken.add(row.candidate.id)
            formats.add(row.candidate.format)
    for row in rest:
        if len(chosen) >= limit:
            break
        if row.candidate.id not in taken:
            chosen.append(row)
            taken.add(row.candidate.id)
    return chosen


def rank_suggestions(
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
    """The pool's best `limit` candidates for the viewer, each with the reason it is shown."""
    jitter = _jitter_for(str(viewer.user_id or "anonymous"), timezone.localdate(now))
    new_since = now - timedelta(days=NEW_DAYS)
    max_popularity = max((c.popularity for c in pool.candidates), default=0) or 1
    language = viewer.language or organisation_language()
    scored = []
    for c in pool.candidates:
        if c.restricted and c.id not in visible_restricted:
            continue
        if c.id in viewer.excluded_item_ids:
            continue
        row = _scored(
            c,
            pool=pool,
            viewer=viewer,
            variant=variant,
            dept_popularity=dept_popularity,
            team_topics=team_topics,
            max_popularity=max_popularity,
            jitter=jitter(c.id),
            new_since=new_since,
            now=now,
            language=language,
        )
        if row is not None:
            scored.append(row)
    scored.sort(key=lambda row: row.order)
    return [
        Suggestion(
            item_id=row.candidate.id,
            title=row.candidate.title,
            slug=row.candidate.slug,
            format=row.candidate.format,
            format_label=row.candidate.format_label,
            duration=row.candidate.duration,
            summary=row.candidate.summary,
            reason=row.reason,
            kind=row.kind,
            next_session=row.candidate.next_session,
        )
        for row in _chosen(scored, limit)
    ]


def clamp_limit(value) -> int:
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT
    return max(MIN_LIMIT, min(MAX_LIMIT, limit))
