"""Ranking the pool for one viewer: what to show, in which order, and why."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from ..models import Variant
from .pool import NEW_DAYS, Pool
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
