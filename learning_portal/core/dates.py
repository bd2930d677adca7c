"""The span of dates the portal stores: 2000-01-01 to 2100-12-31, in UTC.

PostgreSQL stores times far outside it (year 10000, 1 BC) that Python cannot read back, so one
such value breaks every page that reads the row (and the catalog index, which reads them
all). Every import, form and model `clean()` refuses a time outside this span; the span is
wide enough for any real publish window, session or release.
"""

import datetime as dt

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
OUT_OF_RANGE = "Use a date between 2000-01-01 and 2100-12-31 (UTC)."


def in_range(value: dt.datetime | dt.date | None) -> bool:
    """Whether the value (aware datetime, or date) lies in the span; None counts as in."""
    if value is None:
        return True
    # The year first: converting year 9999 at -12:00 to UTC would overflow.
    if not EARLIEST.year - 1 <= value.year <= LATEST.year + 1:
        return False
    if isinstance(value, dt.datetime):
        return EARLIEST <= value <= LATEST
    return EARLIEST.date() <= value <= LATEST.date()


def out_of_range_errors(instance, fields) -> dict[str, str]:
    """{field: message} for each of the instance's `fields` whose value is outside the span."""
    return {name: OUT_OF_RANGE for name in fields if not in_range(getattr(instance, name))}
