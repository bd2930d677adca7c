"""The insights dashboard: the goal and the KPIs, for learning admins and HR insights."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from learning_portal.core.csvfiles import csv_response

from ..access import insights_required
from ..models import Dimension
from ..selectors import FILTER_DIMENSIONS, current_year, group_options
from ..selectors.dashboard import dashboard_for

GROUP_UNKNOWN = "There are no figures for that group: it is unknown, or too small to show."
ORG_WIDE_CHARTS = {"funnel", "waitlist"}


def _chosen_breakdown(request) -> str:
    """The dimension to break down by (?breakdown=), department unless a known one."""
    value = request.GET.get("breakdown", Dimension.DEPARTMENT)
    return value if value in FILTER_DIMENSIONS else Dimension.DEPARTMENT


def _chosen_group(request, options) -> tuple[str, str]:
    """The group asked for in ?group=dimension:value; 404 for one not offered."""
    raw = request.GET.get("group", "")
    if not raw:
        return Dimension.ALL, ""
    dimension, _, value = raw.partition(":")
    offered = {(o.dimension, o.value) for opts in options.values() for o in opts}
    if dimension not in FILTER_DIMENSIONS or (dimension, value) not in offered:
        raise Http404(GROUP_UNKNOWN)
    return dimension, value


@require_GET
@insights_required
def dashboard(request):
    options = group_options()
    dimension, value = _chosen_group(request, options)
    breakdown = _chosen_breakdown(request)
    year = current_year()
    data = dashboard_for(year=year, dimension=dimension, value=value, breakdown=breakdown)
    group_query = f"{dimension}:{value}" if dimension != Dimension.ALL else ""
    query = {key: val for key, val in (("group", group_query), ("breakdown", breakdown)) if val}
    csv_urls = {
        slug: reverse("insights:chart_csv", args=[slug]) + f"?{urlencode(query)}"
        for slug in data.charts
    }
    return render(
        request,
        "insights/dashboard.html",
        {
            "dashboard": data,
            "goal": data.goal,
            "options": [(Dimension(d).label, opts) for d, opts in options.items() if opts],
            "group_query": group_query,
            "breakdown": data.breakdown,
            "breakdown_choices": [(d, Dimension(d).label) for d in FILTER_DIMENSIONS],
            "csv_urls": csv_urls,
        },
    )


@require_GET
@insights_required
def chart_csv(request, slug: str):
    options = group_options()
    dimension, value = _chosen_group(request, options)
    data = dashboard_for(
        year=current_year(), dimension=dimension, value=value, breakdown=_chosen_breakdown(request)
    )
    chart = data.charts.get(slug)
    if chart is None:
        raise Http404("No such chart.")
    # The organisation-wide charts hold the same figures whatever group is chosen: a group
    # suffix on their file name would claim they were that group's.
    suffix = (
        f"-{dimension}-{slugify(value)}"
        if dimension != Dimension.ALL and slug not in ORG_WIDE_CHARTS
        else ""
    )
    if slug == "breakdown":
        suffix += f"-by-{data.breakdown.dimension}"
    return csv_response(
        filename=f"insights-{slug}-{data.goal.year}{suffix}.csv",
        columns=chart.columns,
        rows=chart.csv_rows,
    )
