"""The pool as arrays, and one person's scores over them.

A person seen for the first time is ranked against the whole pool (hundreds of candidates):
scoring each candidate in Python was a fifth of a first view. What the pool holds is turned
into arrays once per pool and process (`vectors_of`), and a person's scores are a few array
operations over them (`scores`). `ranking` chooses from them and explains the few chosen.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

import numpy as np
from django.utils import timezone

from ..models import Variant
from .pool import NEW_DAYS, Pool
from .viewer import Viewer

_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def jitter(viewer_key: str, today, ids: np.ndarray) -> np.ndarray:
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


@dataclass(frozen=True)
class Vectors:
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
_vector_memo: list[tuple[Pool, Vectors]] = []


def vectors_of(pool: Pool, weights: Weights = WEIGHTS) -> Vectors:
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

    vectors = Vectors(
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


def _marked(vectors: Vectors, item_ids) -> np.ndarray:
    """The candidates among `item_ids` (a person's few: a loop over them, not the pool)."""
    mask = np.zeros(len(vectors.ids), dtype=bool)
    for item_id in item_ids:
        position = vectors.position.get(item_id)
        if position is not None:
            mask[position] = True
    return mask


def _about(vectors: Vectors, topic_ids) -> np.ndarray:
    mask = np.zeros(len(vectors.ids), dtype=bool)
    for topic_id in topic_ids:
        about = vectors.topics.get(topic_id)
        if about is not None:
            mask |= about
    return mask


# The department's bonus for the pool, for the department read last (its colleagues follow).
_department_memo: list[tuple[Vectors, dict, np.ndarray]] = []


def _department_bonus(vectors: Vectors, dept_popularity: dict[int, int], weights) -> np.ndarray:
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


def scores(
    vectors: Vectors,
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
    """Every candidate's score and tier, as `ranking.scored` explains them, and which may be
    shown."""
    key = str(viewer.user_id or "anonymous")
    score = vectors.popularity + weights.rotation * jitter(
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
