"""Ranking the pool for one viewer: what to show, in which order, and why.

A person seen for the first time is ranked against the whole pool (hundreds of candidates):
scoring each candidate in Python was a fifth of a first view. What the pool holds is turned
into arrays once per pool (`_vectors`), and a person's scores are a few array operations over
them; only the few suggestions chosen are then explained (`_scored`, the one statement of
what each signal adds and which reason it gives).
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
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


_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _jitter(viewer_key: str, today, ids: np.ndarray) -> np.ndarray:
    """Item ids → numbers in [0, 1), stable for a person within a day and different across
    days: it rotates what is shown. A 64-bit mix (splitmix64's finaliser) of the item id and
    a seed hashed from the person and the day, for all candidates at once."""
    digest = hashlib.sha1(f"{viewer_key}:{today.isoformat()}".encode(), usedforsecurity=False)
    seed = np.uint64(int.from_bytes(digest.digest()[:8], "big"))
    x = ids.astype(np.uint64) * _GOLDEN + seed
    x ^= x >> np.uint64(30)
    x *= _MIX[0]
    x ^= x >> np.uint64(27)
    x *= _MIX[1]
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) / 2.0**53


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


# As plain ints for the arrays (an enum member lookup costs more than the array operation).
_THEME, _MANAGER_SUGGESTED, _RANKED = (int(tier) for tier in Tier)


class Scored(NamedTuple):
    tier: Tier
    score: float
    candidate: Candidate
    reason: str
    kind: str


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


@dataclass(frozen=True)
class _Vectors:
    """What the pool holds, as arrays in its order: made once per pool and process."""

    ids: np.ndarray
    position: dict[int, int]
    max_popularity: int
    popularity: np.ndarray  # the popularity term of the score
    created: np.ndarray  # POSIX seconds
    restricted: np.ndarray
    leadership: np.ndarray
    theme: np.ndarray
    circle_starts: np.ndarray  # POSIX seconds; minus infinity for what is not a circle
    formats: tuple[str, ...]
    topics: dict[int, np.ndarray]  # topic → the candidates about it
    languages: dict[str, np.ndarray]  # language → the candidates taught in it


# One or two pools are in use at a time (the bucket's, and the next once it starts).
_vector_memo: list[tuple[Pool, _Vectors]] = []


def _vectors(pool: Pool, weights: Weights = WEIGHTS) -> _Vectors:
    for known, vectors in _vector_memo:
        if known is pool:
            return vectors
    candidates = pool.candidates
    max_popularity = max((c.popularity for c in candidates), default=0) or 1
    topics: dict[int, list[int]] = {}
    for i, c in enumerate(candidates):
        for topic_id in c.topic_ids:
            topics.setdefault(topic_id, []).append(i)
    size = len(candidates)

    def flags(values) -> np.ndarray:
        return np.fromiter(values, dtype=bool, count=size)

    def topic_mask(positions: list[int]) -> np.ndarray:
        mask = np.zeros(size, dtype=bool)
        mask[positions] = True
        return mask

    vectors = _Vectors(
        ids=np.fromiter((c.id for c in candidates), dtype=np.int64, count=size),
        position={c.id: i for i, c in enumerate(candidates)},
        max_popularity=max_popularity,
        popularity=np.fromiter(
            (weights.popularity * (c.popularity / max_popularity) for c in candidates),
            dtype=np.float64,
            count=size,
        ),
        created=np.fromiter(
            (c.created_at.timestamp() for c in candidates), dtype=np.float64, count=size
        ),
        restricted=flags(c.restricted for c in candidates),
        leadership=flags(c.leadership for c in candidates),
        theme=flags(c.theme_position is not None for c in candidates),
        circle_starts=np.fromiter(
            (c.circle.starts_at.timestamp() if c.circle else -math.inf for c in candidates),
            dtype=np.float64,
            count=size,
        ),
        formats=tuple(c.format for c in candidates),
        topics={topic_id: topic_mask(positions) for topic_id, positions in topics.items()},
        languages={
            language: flags(c.language == language for c in candidates)
            for language in {c.language for c in candidates}
        },
    )
    _vector_memo[:] = [*_vector_memo[-1:], (pool, vectors)]
    return vectors


def _marked(vectors: _Vectors, item_ids) -> np.ndarray:
    """The candidates among `item_ids` (a person's few: a loop over them, not the pool)."""
    mask = np.zeros(len(vectors.ids), dtype=bool)
    for item_id in item_ids:
        position = vectors.position.get(item_id)
        if position is not None:
            mask[position] = True
    return mask


def _about(vectors: _Vectors, topic_ids) -> np.ndarray:
    mask = np.zeros(len(vectors.ids), dtype=bool)
    for topic_id in topic_ids:
        about = vectors.topics.get(topic_id)
        if about is not None:
            mask |= about
    return mask


# The department's bonus for the pool, for the department read last (its colleagues follow).
_department_memo: list[tuple[_Vectors, dict, np.ndarray]] = []


def _department_bonus(vectors: _Vectors, dept_popularity: dict[int, int], weights) -> np.ndarray:
    for known, popularity, bonus in _department_memo:
        if known is vectors and popularity is dept_popularity:
            return bonus
    bonus = np.zeros(len(vectors.ids))
    cap = weights.department_colleagues_cap
    for item_id, count in dept_popularity.items():
        position = vectors.position.get(item_id)
        if position is not None and count >= DEPARTMENT_MIN_COLLEAGUES:
            bonus[position] = (
                weights.department + weights.department_bonus_max * min(count, cap) / cap
            )
    _department_memo[:] = [*_department_memo[-15:], (vectors, dept_popularity, bonus)]
    return bonus


def _scores(
    vectors: _Vectors,
    *,
    viewer: Viewer,
    variant: str,
    visible_restricted: frozenset[int],
    dept_popularity: dict[int, int],
    team_topics: dict[int, int],
    now: datetime,
    language: str,
    weights: Weights = WEIGHTS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate's score and tier, as `_scored` gives them, and which may be shown."""
    key = str(viewer.user_id or "anonymous")
    score = vectors.popularity + weights.rotation * _jitter(
        key, timezone.localdate(now), vectors.ids
    )
    in_language = vectors.languages.get(language)
    if in_language is None:
        score -= weights.language
    else:
        score += np.where(in_language, weights.language, -weights.language)
    new_since = (now - timedelta(days=NEW_DAYS)).timestamp()
    score += weights.new * (vectors.created >= new_since)
    if viewer.department_name and dept_popularity:
        score += _department_bonus(vectors, dept_popularity, weights)
    if viewer.interest_ids:
        score += weights.interest * _about(vectors, viewer.interest_ids)
    shown = ~_marked(vectors, viewer.excluded_item_ids)
    shown &= ~vectors.restricted | _marked(vectors, visible_restricted)
    if variant == Variant.MANAGER:
        if team_topics:
            score += weights.team * _about(vectors, team_topics)
        score += weights.leadership * vectors.leadership
    else:
        # Manager-only items belong to the manager variant.
        shown &= ~(vectors.leadership & vectors.restricted)
    score += weights.circle * (vectors.circle_starts > now.timestamp())
    tier = np.where(vectors.theme, _THEME, _RANKED)
    tier[_marked(vectors, viewer.manager_suggested_ids)] = _MANAGER_SUGGESTED
    return score, tier, shown


def _chosen(vectors: _Vectors, order: np.ndarray, tiers: np.ndarray, limit: int) -> list[int]:
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
    vectors = _vectors(pool)
    language = viewer.language or organisation_language()
    score, tier, shown = _scores(
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
        row = _scored(
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
