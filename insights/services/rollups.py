"""The monthly rollups: every figure the dashboard and the report show, computed ahead.

`rollups_refresh` runs on the beat schedule (hourly). It is idempotent: each run rewrites
the rows of the months still open (upsert on their unique keys), so running it twice, or
two beat processes racing, leaves the same rows. A month is recomputed until the first run
after it ends, which marks it final; final months are never rewritten, so a change in the
HR feed (a manager flag, a department) shows from the month it happened, not backwards.

Definitions (also on the dashboard and in the README):
- engaged: took a place themselves (enrolled or waitlisted, still held or completed) in an
  elective item or circle, completed an item, or was at a circle meeting, from 1 January of
  the year. The catalog has no mandatory items: everything in it is elective.
- manager: HR's manager flag when the month's figures are taken (see GroupRollup).
- active learner in a month: engaged in that month itself.
"""

import datetime
import logging
import statistics
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone

from circles.aggregates import attendance_by_person_month, circle_participation
from enrollment.aggregates import (
    chosen_enrollments_by_person_month,
    completions_by_person_month,
    people_enrolled_in_items,
    waitlist_joins_by_month,
    waitlist_now,
    widget_enrollments_by_month,
)
from learning_portal.core.privacy import group_size_floor
from people.selectors import employee_population
from themes.selectors import release_list_between
from widgets.aggregates import suggestion_lead_days, widget_counts_by_month

from ..models import GroupRollup, MonthlyKpis
from ..months import aware, month_start, next_month
from .groups import MANAGERS, PEOPLE, build_groups, hidden_groups

logger = logging.getLogger(__name__)


def months_to_refresh(*, now: datetime.datetime) -> list[datetime.date]:
    """The months of `now`'s year up to its month, plus last December in January, that are
    not final yet."""
    current = month_start(now)
    first = current.replace(month=1)
    if current.month == 1:
        first = first.replace(year=first.year - 1, month=12)
    months = []
    month = first
    while month <= current:
        months.append(month)
        month = next_month(month)
    final = set(
        MonthlyKpis.objects.filter(month__in=months, is_final=True).values_list("month", flat=True)
    )
    return [month for month in months if month not in final]


def _activity(*, year: int, until: datetime.datetime):
    """Per person: the months of the year they were engaged in, and their counts."""
    since = aware(datetime.date(year, 1, 1))
    active: dict[int, set[datetime.date]] = defaultdict(set)
    enrollments: Counter = Counter()
    completions: Counter = Counter()
    for user_id, month, n in chosen_enrollments_by_person_month(since=since, until=until):
        active[user_id].add(month_start(month))
        enrollments[(user_id, month_start(month))] += n
    for user_id, month, n in completions_by_person_month(since=since, until=until):
        active[user_id].add(month_start(month))
        completions[(user_id, month_start(month))] += n
    for user_id, month in attendance_by_person_month(since=since, until=until):
        active[user_id].add(month_start(month))
    return active, enrollments, completions


def _group_rows(*, month, groups, hidden, active, enrollments, completions, now, final):
    first_engaged = {user_id: min(months) for user_id, months in active.items()}
    rows = []
    for (dimension, value), group in groups.items():
        people_hidden = (dimension, value, PEOPLE) in hidden
        managers_hidden = people_hidden or (dimension, value, MANAGERS) in hidden
        row = GroupRollup(
            month=month,
            dimension=dimension,
            value=value,
            label=group.label,
            people=0,
            managers=0,
            engaged=0,
            managers_engaged=0,
            active_learners=0,
            enrollments=0,
            completions=0,
            suppressed=people_hidden,
            managers_suppressed=managers_hidden,
            is_final=final,
            computed_at=now,
        )
        if not people_hidden:
            engaged = {u for u in group.members if u in first_engaged and first_engaged[u] <= month}
            row.people = len(group.members)
            row.engaged = len(engaged)
            row.active_learners = sum(1 for u in group.members if month in active.get(u, ()))
            row.enrollments = sum(enrollments[(u, month)] for u in group.members)
            row.completions = sum(completions[(u, month)] for u in group.members)
            if not managers_hidden:
                row.managers = len(group.managers)
                row.managers_engaged = len(group.managers & engaged)
        rows.append(row)
    return rows


def _org_kpis(*, month: datetime.date, until: datetime.datetime) -> dict:
    """The month's organization-wide KPIs that are counts of events, not of a group."""
    since = aware(month)
    widget = widget_counts_by_month(since=month, until=next_month(month)).get(month, {})
    widget_enrollments = sum(widget_enrollments_by_month(since=since, until=until).values())
    lead_days = suggestion_lead_days(since=aware(month.replace(month=1)), until=until)
    participation = circle_participation(since=aware(month.replace(month=1)), until=until)
    themes = [
        {
            "title": release["title"],
            "month": release["month"].isoformat(),
            "people": people_enrolled_in_items(
                item_ids=release["item_ids"],
                since=release["released_at"],
                until=min(release["window_end"], until),
            ),
        }
        for release in release_list_between(since=aware(month.replace(month=1)), until=until)
    ]
    return {
        "widget": {
            "impressions": widget.get("impressions", 0),
            "clicks": widget.get("clicks", 0),
            "enrollments": widget_enrollments,
        },
        "waitlist_joins": sum(waitlist_joins_by_month(since=since, until=until).values()),
        "waitlist_now": waitlist_now(),
        # Year to date, so each month's figure is a running one.
        "suggestion_lead": {
            "count": len(lead_days),
            "median_days": round(statistics.median(lead_days), 1) if lead_days else None,
        },
        "circles": {
            "participants": participation.participants,
            "retained": participation.retained,
            "repeat": participation.repeat,
        },
        "themes": themes,
    }


def rollups_refresh(*, now: datetime.datetime | None = None) -> list[datetime.date]:
    """Recompute every month not yet final (see module docstring); returns the months done.

    Each month's rows are replaced in one transaction, so a reader sees a month's old
    figures or its new ones, never a mix. A month whose end has passed is stored final.
    """
    now = now or timezone.now()
    months = months_to_refresh(now=now)
    if not months:
        return []
    min_size = group_size_floor()
    groups = build_groups(employee_population())
    hidden = hidden_groups(groups, min_size=min_size)
    by_year: dict[int, tuple] = {}
    for month in months:
        end = aware(next_month(month))
        until = min(end, now)
        final = end <= now
        if month.year not in by_year:
            year_end = aware(datetime.date(month.year + 1, 1, 1))
            by_year[month.year] = _activity(year=month.year, until=min(year_end, now))
        active, enrollments, completions = by_year[month.year]
        rows = _group_rows(
            month=month,
            groups=groups,
            hidden=hidden,
            active=active,
            enrollments=enrollments,
            completions=completions,
            now=now,
            final=final,
        )
        kpis = _org_kpis(month=month, until=until)
        MonthlyKpis.objects.get_or_create(month=month, defaults={"computed_at": now})
        with transaction.atomic():
            # Two runs at once (two beat processes) take turns per month: the row lock.
            locked = MonthlyKpis.objects.select_for_update().get(month=month)
            if locked.is_final:
                continue
            GroupRollup.objects.filter(month=month).delete()
            GroupRollup.objects.bulk_create(rows)
            MonthlyKpis.objects.update_or_create(
                month=month, defaults={"data": kpis, "is_final": final, "computed_at": now}
            )
    logger.info("Insights rollups refreshed: %s", ", ".join(f"{m:%Y-%m}" for m in months))
    return months
