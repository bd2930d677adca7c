"""The dashboard's content: the goal figures and the KPIs as charts, from the rollups."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from learning_portal.core.privacy import group_size_floor

from ..charts import Chart, Series, bar_chart, funnel_chart, hbar_chart, line_chart
from ..models import Dimension
from .goal import Breakdown, Goal, breakdown_for, goal_for, kpis_for_year
from .kpis import KpiFigures, kpi_figures, people_text

MONTH_LABELS = [datetime.date(2000, m, 1).strftime("%b") for m in range(1, 13)]


def _group_phrase(goal: Goal) -> str:
    return "the organization" if goal.dimension == Dimension.ALL else goal.label


@dataclass
class Dashboard:
    goal: Goal
    everyone_goal: Goal
    now: datetime.datetime
    breakdown: Breakdown | None = None
    charts: dict[str, Chart] = field(default_factory=dict)
    kpis: KpiFigures | None = None

    @property
    def managers_projection(self) -> float | None:
        return self.goal.projection("managers", now=self.now)

    @property
    def everyone_projection(self) -> float | None:
        return self.goal.projection("everyone", now=self.now)

    @property
    def verdict(self) -> str:
        """Where the managers' figure stands against the band, in words."""
        latest = self.goal.latest
        low, high = self.goal.band
        if latest is None or latest.managers.percent is None:
            return "Not shown: too few managers in this group to report on them."
        projected = self.managers_projection
        if projected is None:
            return ""
        if projected < low:
            return f"Below the target: on pace for {projected:.0f}% by 31 December."
        if projected > high:
            return f"Above the target: on pace for {projected:.0f}% by 31 December."
        return f"On track: on pace for {projected:.0f}% by 31 December."


def _goal_chart(goal: Goal, now: datetime.datetime) -> Chart:
    labels = MONTH_LABELS
    by_month = {m.month.month: m for m in goal.months}
    managers = [by_month[i].managers.percent if i in by_month else None for i in range(1, 13)]
    everyone = [by_month[i].everyone.percent if i in by_month else None for i in range(1, 13)]
    series = [Series("Managers engaged", managers), Series("All employees engaged", everyone)]
    projected = goal.projection("managers", now=now)
    latest = goal.latest
    if projected is not None and latest is not None and latest.month.month < 12:
        start = latest.month.month
        now_pct = latest.managers.percent
        steps = 12 - start
        projection = [None] * 12
        for i in range(start, 13):
            projection[i - 1] = now_pct + (projected - now_pct) * (i - start) / steps
        series.append(Series("Managers, projected", projection, kind="projection"))
    low, high = goal.band
    if latest is not None and latest.managers.percent is not None:
        summary = (
            f"{latest.managers.percent:.1f}% of managers in {_group_phrase(goal)} engaged by "
            f"{latest.month:%B}, against a target of {low:g}–{high:g}% by year end."
        )
    else:
        summary = "The managers' figure is hidden for this group; all employees are shown."
    return line_chart(
        slug="goal",
        title=f"Managers engaged in elective learning, {goal.year}",
        description=(
            "Share of managers and of all employees engaged since 1 January, by month, with "
            f"the target band {low:g}–{high:g}% and the managers' projection to year end."
        ),
        summary=summary,
        labels=labels,
        series=series,
        band=goal.band,
        band_label="Target",
        unit="%",
    )


def _activity_charts(goal: Goal) -> dict[str, Chart]:
    by_month = {m.month.month: m for m in goal.months}
    labels = MONTH_LABELS[: max(by_month, default=0)]
    active = [
        by_month[i].active_learners.count if i in by_month else None
        for i in range(1, len(labels) + 1)
    ]
    enrollments = [
        by_month[i].enrollments if i in by_month else None for i in range(1, len(labels) + 1)
    ]
    completions = [
        by_month[i].completions if i in by_month else None for i in range(1, len(labels) + 1)
    ]
    latest = goal.latest
    active_text = latest.active_learners.text if latest else "—"
    return {
        "active": bar_chart(
            slug="active",
            title="Active learners per month",
            description=(
                "People who took a place, completed an item or attended a circle meeting in "
                "each month."
            ),
            summary=(
                f"In {latest.month:%B}, {active_text} people in {_group_phrase(goal)} were "
                "active learners."
            )
            if latest
            else "No figures yet.",
            labels=labels,
            values=active,
            value_name="Active learners",
        ),
        "enrollments": line_chart(
            slug="enrollments",
            title="Enrollments and completions per month",
            description="Places people took themselves, and items completed, in each month.",
            summary=(
                f"{sum(v or 0 for v in enrollments):,} enrollments and "
                f"{sum(v or 0 for v in completions):,} completions so far this year."
            ),
            labels=labels,
            series=[Series("Enrollments", enrollments), Series("Completions", completions)],
        ),
    }


def _breakdown_chart(breakdown: Breakdown) -> Chart | None:
    if not breakdown.rows:
        return None
    name = breakdown.label.lower()
    chart = hbar_chart(
        slug="breakdown",
        title=f"Engaged this year by {name}",
        description=(
            f"Share of people engaged since 1 January in each {name} shown, in "
            f"{breakdown.month:%B}; a group whose figure is a range has no bar."
        ),
        summary=(
            f"{len(breakdown.rows)} groups shown"
            + (f", {breakdown.hidden} hidden for privacy." if breakdown.hidden else ".")
        ),
        labels=[row.label for row in breakdown.rows],
        values=[row.everyone.percent for row in breakdown.rows],
        value_name="Engaged",
        label_name=breakdown.label,
        unit="%",
    )
    chart.columns = [breakdown.label, "People", "Engaged", "Managers engaged", "Active this month"]
    chart.rows = [
        [
            row.label,
            f"{row.people:,}",
            row.everyone.text,
            row.managers.text,
            row.active_learners.text,
        ]
        for row in breakdown.rows
    ]
    return chart


def _org_charts(year: int) -> tuple[dict[str, Chart], KpiFigures | None]:
    rows = kpis_for_year(year=year)
    if not rows:
        return {}, None
    latest = rows[-1].data
    labels = [MONTH_LABELS[row.month.month - 1] for row in rows]
    impressions = sum(row.data["widget"]["impressions"] for row in rows)
    clicks = sum(row.data["widget"]["clicks"] for row in rows)
    widget_enrollments = sum(row.data["widget"]["enrollments"] for row in rows)
    charts = {
        "funnel": funnel_chart(
            slug="funnel",
            title="Widget funnel this year",
            description=(
                "Suggestions shown on the intranet, clicks on them, and enrollments that came "
                "from the widget."
            ),
            summary=(
                f"{impressions:,} suggestions shown, {clicks:,} clicked and {widget_enrollments:,} "
                "enrollments from the widget this year."
            ),
            stages=[("Shown", impressions), ("Clicked", clicks), ("Enrolled", widget_enrollments)],
        ),
        "waitlist": bar_chart(
            slug="waitlist",
            title="Waitlist pressure: places taken on a waitlist per month",
            description="Places people took on a full session's waitlist, by month.",
            summary=(
                f"{people_text(latest['waitlist_now']['people'], min_size=group_size_floor())} "
                f"people are waiting now, for {latest['waitlist_now']['sessions']:,} full "
                "sessions."
            ),
            labels=labels,
            values=[row.data["waitlist_joins"] for row in rows],
            value_name="Waitlist places",
        ),
    }
    return charts, kpi_figures(rows)


def dashboard_for(
    *,
    year: int,
    dimension: str = Dimension.ALL,
    value: str = "",
    breakdown: str = Dimension.DEPARTMENT,
    now=None,
) -> Dashboard:
    now = now or timezone.now()
    goal = goal_for(year=year, dimension=dimension, value=value)
    everyone_goal = goal if dimension == Dimension.ALL else goal_for(year=year)
    dashboard = Dashboard(goal=goal, everyone_goal=everyone_goal, now=now)
    if not goal.found:
        return dashboard
    dashboard.charts["goal"] = _goal_chart(goal, now)
    dashboard.charts.update(_activity_charts(goal))
    dashboard.breakdown = breakdown_for(year=year, dimension=breakdown)
    chart = _breakdown_chart(dashboard.breakdown)
    if chart is not None:
        dashboard.charts["breakdown"] = chart
    org_charts, dashboard.kpis = _org_charts(year)
    dashboard.charts.update(org_charts)
    return dashboard
