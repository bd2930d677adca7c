"""HR's topic demand: the ranked list, one topic's trend, the CSV for budget planning."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from catalog.models import Topic
from learning_portal.core.csvfiles import csv_response
from learning_portal.core.privacy import ROUNDING_BASE, group_size_floor

from ..access import insights_required
from ..charts import Series, line_chart
from . import topics, trend

SORTS = ("total", "name", *topics.SIGNAL_KEYS)


def _window(request) -> int:
    try:
        days = int(request.GET.get("days", topics.DEFAULT_WINDOW))
    except ValueError:
        return topics.DEFAULT_WINDOW
    return days if days in topics.WINDOWS else topics.DEFAULT_WINDOW


def _sort(request) -> str:
    sort = request.GET.get("sort", "total")
    return sort if sort in SORTS else "total"


@insights_required
def demand_report(request):
    days, sort = _window(request), _sort(request)
    report = topics.topic_demand_report(days=days, sort=sort)
    return render(
        request,
        "insights/demand/report.html",
        {
            "report": report,
            "signals": topics.SIGNALS,
            "windows": topics.WINDOWS,
            "sort": sort,
            "min_group_size": group_size_floor(),
            "rounding_base": ROUNDING_BASE,
        },
    )


@insights_required
def demand_topic(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    demand_trend = trend.topic_demand_trend(topic=topic)
    current = topics.topic_demand_report(days=_window(request))
    row = next((row for row in current.rows if row.topic.pk == topic.pk), None)
    series = [(signal, demand_trend.series[signal.key]) for signal in trend.TREND_SIGNALS]
    return render(
        request,
        "insights/demand/topic.html",
        {
            "topic": topic,
            "trend": demand_trend,
            "series": series,
            "chart": _trend_chart(topic, demand_trend, series),
            "row": row,
            "now_cells": list(zip(topics.SIGNALS, row.cells(), strict=True)) if row else [],
            "report": current,
            "signals": topics.SIGNALS,
            "min_group_size": group_size_floor(),
            "rounding_base": ROUNDING_BASE,
        },
    )


CHART_SERIES = 3  # insights.css colours three series


def _trend_chart(topic, trend, series):
    """The strongest signals of the year as lines; a month hidden for privacy is a gap."""
    totals = [(sum(f.shown for f in figures), signal, figures) for signal, figures in series]
    strongest = [row for row in sorted(totals, key=lambda row: -row[0]) if row[0]][:CHART_SERIES]
    if not strongest:
        return None
    lines = [
        Series(signal.label, [None if f.suppressed else f.value for f in figures])
        for _, signal, figures in strongest
    ]
    top_total, top_signal, _ = strongest[0]
    return line_chart(
        slug=f"demand-{topic.slug}",
        title=f"Demand for {topic.name}, month by month",
        description=(
            f"The {len(lines)} strongest demand signals for {topic.name} in each of the last "
            f"12 months; a month with 1 to {group_size_floor() - 1} people is left out, and "
            f"people counts are rounded to the nearest {ROUNDING_BASE}."
        ),
        summary=(
            f"{top_signal.label} is the strongest signal: {top_total} over the 12 months "
            "(counting only the months shown)."
        ),
        labels=[month.strftime("%b %y") for month in trend.months],
        series=lines,
    )


@insights_required
def demand_csv(request):
    days, sort = _window(request), _sort(request)
    report = topics.topic_demand_report(days=days, sort=sort)
    columns = [
        "Topic",
        "Topic slug",
        *(signal.label for signal in topics.SIGNALS),
        "All signals (as shown)",
        "Window (days)",
    ]
    rows = (
        [
            row.topic.name,
            row.topic.slug,
            *(figure.csv for figure in row.cells()),
            row.total,
            report.days,
        ]
        for row in report.rows
    )
    stamp = timezone.localdate().isoformat()
    return csv_response(filename=f"topic-demand-{days}d-{stamp}.csv", columns=columns, rows=rows)
