"""Aggregate reads over the widget's counts and managers' suggestions, for reporting.

The widget tracks counts only (WidgetDailyCount); nothing here names a person.
"""

import datetime

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from enrollment.aggregates import first_enrollment_after

from .models import TeamSuggestion, WidgetDailyCount


def widget_counts_by_month(
    *, since: datetime.date, until: datetime.date
) -> dict[datetime.date, dict]:
    """Month (its first day) → impressions and clicks of every placement, days in [since, until)."""
    rows = (
        WidgetDailyCount.objects.filter(day__gte=since, day__lt=until)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(impressions=Sum("impressions"), clicks=Sum("clicks"))
        .values_list("month", "impressions", "clicks")
    )
    return {
        month: {"impressions": views or 0, "clicks": clicks or 0} for month, views, clicks in rows
    }


def suggestion_lead_days(*, since: datetime.datetime, until: datetime.datetime) -> list[float]:
    """Days from a manager's suggestion to a team member's enrollment in the suggested item.

    For suggestions made in [since, until): each direct report (then and now) who took a
    place in the item after the suggestion gives one figure, sorted, with no names.
    """
    suggestions = TeamSuggestion.objects.filter(
        created_at__gte=since, created_at__lt=until
    ).values_list("manager__direct_reports__user_id", "item_id", "created_at")
    pairs = [(user_id, item_id, at) for user_id, item_id, at in suggestions if user_id]
    found = first_enrollment_after(pairs=pairs)
    suggested = {(user_id, item_id): at for user_id, item_id, at in pairs}
    return sorted(
        (enrolled - suggested[key]).total_seconds() / 86400 for key, enrolled in found.items()
    )
