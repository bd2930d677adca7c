"""Months in the portal's time zone: the unit every rollup is kept in.

The portal's zone (TIME_ZONE), never the zone the reader chose for their own times (the
people middleware activates it for each request): a month's edges, and so its figures,
are the same on every page and for every reader. In the reader's zone a month would start
up to a day earlier or later, and the figures of two readers would differ by the people
at its edges.
"""

import datetime

from django.utils import timezone


def portal_zone() -> datetime.tzinfo:
    return timezone.get_default_timezone()


def month_start(moment: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment, portal_zone()).date()
    return moment.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def aware(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day, in the portal's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=portal_zone())
