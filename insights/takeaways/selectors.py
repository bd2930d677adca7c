"""Reads of takeaways: drafts for facilitators, published ones for members, and HR's
organisation-wide themes (published takeaways only, counted per circle, never per person).

HR's themes read only weeks written by at least group_size_floor() different people, and
show a theme, phrase or wish only when at least MIN_CIRCLES circles published it: one
circle's line could still be one person's words, two circles' cannot."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from circles.models import Circle
from learning_portal.core.privacy import group_size_floor
from people.models import User

from ..models import WeeklyTakeaway

MIN_CIRCLES = 2


def circles_facilitated_by(*, user: User) -> QuerySet[Circle]:
    return (
        Circle.objects.filter(facilitators=user)
        .exclude(state=Circle.State.DRAFT)
        .order_by("-start_date", "title")
    )


def takeaways_for_review(*, circle: Circle) -> QuerySet[WeeklyTakeaway]:
    return WeeklyTakeaway.objects.filter(circle=circle).order_by("week")


def takeaways_published(*, circle: Circle) -> QuerySet[WeeklyTakeaway]:
    return WeeklyTakeaway.objects.filter(circle=circle, published_at__isnull=False).order_by("week")


@dataclass
class Tally:
    text: str
    circles: int
    weeks: int


@dataclass
class OrganisationThemes:
    since: dt.datetime
    circles: int
    weeks: int
    themes: list[Tally]
    key_phrases: list[Tally]
    demand_phrases: list[Tally]
    min_people: int
    min_circles: int = MIN_CIRCLES


def _tally(entries: list[tuple[int, str]], limit: int) -> list[Tally]:
    circles: dict[str, set[int]] = defaultdict(set)
    weeks: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for circle_id, text in entries:
        key = text.lower()
        shown.setdefault(key, text)
        circles[key].add(circle_id)
        weeks[key] += 1
    ranked = sorted(
        (key for key in circles if len(circles[key]) >= MIN_CIRCLES),
        key=lambda key: (-len(circles[key]), -weeks[key], key),
    )
    return [Tally(shown[key], len(circles[key]), weeks[key]) for key in ranked[:limit]]


def organisation_themes(*, days: int = 365, now=None) -> OrganisationThemes:
    """What published takeaways say across circles, over the last `days` days."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    min_people = group_size_floor()
    rows = list(
        WeeklyTakeaway.objects.filter(
            published_at__gte=since, author_count__gte=min_people
        ).values_list("circle_id", "themes", "key_phrases", "demand_phrases")
    )
    return OrganisationThemes(
        since=since,
        circles=len({row[0] for row in rows}),
        weeks=len(rows),
        themes=_tally([(c, t) for c, themes, _, _ in rows for t in themes], 30),
        key_phrases=_tally([(c, p) for c, _, phrases, _ in rows for p in phrases], 40),
        demand_phrases=_tally([(c, p) for c, _, _, wishes in rows for p in wishes], 30),
        min_people=min_people,
    )
