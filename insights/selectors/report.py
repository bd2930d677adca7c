"""What the monthly report says, and to whom it goes: read from the rollups only."""

import datetime
from dataclasses import dataclass

from people.models import User
from people.roles import LEARNING_ADMIN

from ..demand.topics import topic_demand_report
from ..models import MonthlyKpis
from .goal import Figure, Goal, goal_for
from .kpis import KpiFigures, kpi_figures


def report_recipient_ids() -> list[int]:
    """Learning admins with an active account and an address, by id."""
    return list(
        User.objects.filter(groups__name=LEARNING_ADMIN.name, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


@dataclass
class ReportContent:
    month: datetime.date
    goal: Goal
    managers: Figure | None
    everyone: Figure | None
    managers_projection: float | None
    active_learners: Figure | None
    enrollments: int | None
    completions: int | None
    kpis: KpiFigures | None
    # (topic, its demand signals as shown) for the month's top topics, most wanted first.
    top_demand: list[tuple[str, int]]

    @property
    def band(self) -> tuple[float, float]:
        return self.goal.band


def report_content(*, month: datetime.date, now: datetime.datetime) -> ReportContent:
    """The organization-wide figures of `month` (and the year to its end)."""
    goal = goal_for(year=month.year)
    goal.months = [m for m in goal.months if m.month <= month]
    latest = goal.latest if goal.latest and goal.latest.month == month else None
    kpi_rows = [
        row
        for row in MonthlyKpis.objects.filter(
            month__gte=month.replace(month=1), month__lte=month
        ).order_by("month")
    ]
    return ReportContent(
        month=month,
        goal=goal,
        managers=latest.managers if latest else None,
        everyone=latest.everyone if latest else None,
        managers_projection=goal.projection("managers", now=now) if latest else None,
        active_learners=latest.active_learners if latest else None,
        enrollments=latest.enrollments if latest else None,
        completions=latest.completions if latest else None,
        kpis=kpi_figures(kpi_rows) if kpi_rows else None,
        top_demand=top_demand(now=now),
    )


TOP_DEMAND = 5


def top_demand(*, now: datetime.datetime) -> list[tuple[str, int]]:
    """The topics most asked for in the 30 days to `now` (demand's ranking, figures as
    shown: small people counts are hidden before they are summed)."""
    report = topic_demand_report(days=30, now=now)
    return [(row.topic.name, row.total) for row in report.rows if row.total][:TOP_DEMAND]
