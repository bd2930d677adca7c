"""Ranking the pool for one viewer: what to show, in which order, and why.

A person's scores come from the pool's arrays (`vectors`); this module chooses from them
(the theme's and the manager's slots, variety across formats) and explains only the few
suggestions chosen (`scored`, the one statement of what each signal adds and which reason
it gives).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from learning_portal.core.languages import organisation_language

from ..models import Variant
from .pool import NEW_DAYS, Candidate, Pool
from .vectors import (
    _MANAGER_SUGGESTED,
    _RANKED,
    _THEME,
    DEPARTMENT_MIN_COLLEAGUES,
    WEIGHTS,
    Tier,
    Vectors,
    Weights,
    scores,
    vectors_of,
)
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


class Scored(NamedTuple):
    tier: Tier
    score: float
    candidate: Candidate
    reason: str
    kind: str


def scored(
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


def _chosen(vectors: Vectors, order: np.ndarray, tiers: np.ndarray, limit: int) -> list[int]:
    """The theme's and the manager's slots first, then variety across formats, then the best.

    `order` is the candidates (positions) best first, `tiers` their tiers in that order.
    """
    theme = order[tiers == _THEME][:MAX_THEME_SLOTS].tolist()
    suggested = order[tiers == _MANAGER_SUGGESTED][:MAX_MANAGER_SUGGESTION_SLOTS].tolist()
    chosen = (theme + suggested)[:limit]
    taken = set(chosen)
    # Variety: prefer a format not shown yet, then fill up with the best of the rest.
    formats = {vectors.formats[i] for i in chosen}
    rest = order[tiers == _RANKED].tolist()
    for i in rest:
        if len(chosen) >= limit:
            break
        if vectors.formats[i] not in formats:
            chosen.append(i)
            taken.add(i)
            formats.add(vectors.formats[i])
    for i in rest:
        if len(chosen) >= limit:
            break
        if i not in taken:
            chosen.append(i)
            taken.add(i)
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
    if not pool.candidates:
        return []
    vectors = vectors_of(pool)
    language = viewer.language or organisation_language()
    score, tier, shown = scores(
        vectors,
        viewer=viewer,
        variant=variant,
        visible_restricted=visible_restricted,
        dept_popularity=dept_popularity,
        team_topics=team_topics,
        now=now,
        language=language,
    )
    positions = np.flatnonzero(shown)
    # Best first: by tier, then score, then id (as Scored.order).
    order = positions[np.lexsort((vectors.ids[positions], -score[positions], tier[positions]))]
    chosen = _chosen(vectors, order, tier[order], limit)
    new_since = now - timedelta(days=NEW_DAYS)
    suggestions = []
    for i in chosen:
        row = scored(
            pool.candidates[i],
            pool=pool,
            viewer=viewer,
            variant=variant,
            dept_popularity=dept_popularity,
            team_topics=team_topics,
            max_popularity=vectors.max_popularity,
            jitter=0.0,  # only its reason is wanted here
            new_since=new_since,
            now=now,
            language=language,
        )
        suggestions.append(
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
        )
    return suggestions


def clamp_limit(value) -> int:
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return DEFAULT_LIMIT
    return max(MIN_LIMIT, min(MAX_LIMIT, limit))
