"""When sessions are: the sessions ahead, the windows they start in, enrollment open now.

The rules the catalog page, its index, the enrollment pages and the widget share: each is
written here once, as a queryset or a `Q`, beside the single-row form on the model
(`Offering.is_enrollment_open`).
"""

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices

from .models import Offering


class StartsWithin(TextChoices):
    ANY = "any", "Any upcoming session"
    WEEK = "7", "Starts within 7 days"
    MONTH = "30", "Starts within 30 days"
    QUARTER = "90", "Starts within 90 days"


def sessions_ahead(now: dt.datetime, days: int | None = None) -> QuerySet:
    """Scheduled, not cancelled sessions that have not started yet (within `days` if given)."""
    sessions = Offering.objects.filter(status=Offering.Status.SCHEDULED, starts_at__gt=now)
    if days is not None:
        sessions = sessions.filter(starts_at__lte=now + dt.timedelta(days=days))
    return sessions


def enrollment_open_q(now: dt.datetime) -> Q:
    """Sessions open for enrollment at `now`: `Offering.is_enrollment_open`, as a filter.

    Scheduled, past its enrollment opening (if any), and before its enrollment closing
    (by default the session's start).
    """
    return Q(
        Q(enrollment_opens_at__isnull=True) | Q(enrollment_opens_at__lte=now),
        Q(enrollment_closes_at__isnull=True, starts_at__gt=now) | Q(enrollment_closes_at__gt=now),
        status=Offering.Status.SCHEDULED,
    )


def upcoming_sessions(now: dt.datetime, days: int | None = None) -> QuerySet:
    """The sessions of `sessions_ahead` that belong to the outer item."""
    return sessions_ahead(now, days).filter(item_id=OuterRef("pk"))


def starts_within_days(value: str) -> int | None:
    """The window of a `StartsWithin` choice in days; None for any upcoming session."""
    return None if value == StartsWithin.ANY else int(value)


def starts_within_q(value: str, now: dt.datetime) -> Q:
    return Q(Exists(upcoming_sessions(now, starts_within_days(value))))
