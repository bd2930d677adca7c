"""Turning CSV cells into field values, with messages an admin can act on.

Each parser takes the stripped cell text and returns the value or raises ValueError with
the message (without the column name, which the caller adds).
"""

import datetime as dt
import functools
import re
import zoneinfo

from django.db.models import TextChoices
from django.utils import timezone

from learning_portal.core import dates
from learning_portal.core.csvfiles import yes_no

VALUE_REQUIRED = "a value is required."
VALUE_CHOICE = "“{value}” is not one of: {allowed}."
VALUE_WHOLE_NUMBER = "“{value}” is not a whole number of 0 or more."
VALUE_CAPACITY = "“{value}” is not a number of seats of 1 or more (leave empty for no limit)."
VALUE_BOOLEAN = "“{value}” is not yes or no (use true/false, yes/no or 1/0)."
VALUE_DATETIME = (
    "“{value}” is not a date and time; use YYYY-MM-DD HH:MM "
    "or ISO 8601 such as 2026-03-05T09:30:00+00:00."
)
VALUE_DATETIME_RANGE = "“{value}” is out of range. " + dates.OUT_OF_RANGE
VALUE_TIMEZONE = "“{value}” is not a known time zone (such as Europe/London)."

LIST_SEPARATOR = ";"
# A date alone is accepted where a day is the natural unit (a publish window); sessions need
# a time as well.
DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def required_text(raw: str) -> str:
    if not raw:
        raise ValueError(VALUE_REQUIRED)
    return raw


def choice(choices: type[TextChoices], *, default: str | None = None):
    """A parser accepting a choice's value or its label, in any case."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
    allowed = ", ".join(f"{value} ({label})" for value, label in choices.choices)

    def parse(raw: str) -> str:
        if not raw and default is not None:
            return default
        try:
            return lookup[raw.lower()]
        except KeyError:
            raise ValueError(VALUE_CHOICE.format(value=raw, allowed=allowed)) from None

    return parse


def _digits(raw: str) -> bool:
    # str.isdigit() is true for "²" and other digits int() refuses; only 0-9 are numbers here.
    return raw.isascii() and raw.isdigit()


def whole_number(raw: str) -> int | None:
    if not raw:
        return None
    if not _digits(raw):
        raise ValueError(VALUE_WHOLE_NUMBER.format(value=raw))
    return int(raw)


def capacity(raw: str) -> int | None:
    if not raw:
        return None
    if not _digits(raw) or int(raw) < 1:
        raise ValueError(VALUE_CAPACITY.format(value=raw))
    return int(raw)


def boolean(raw: str) -> bool:
    if not raw:
        return False  # a blank cell is "no" in the catalog files
    parsed = yes_no(raw)
    if parsed is None:
        raise ValueError(VALUE_BOOLEAN.format(value=raw))
    return parsed


@functools.cache
def _known_zones() -> frozenset[str]:
    # available_timezones() walks the tzdata files on every call; once per process is enough.
    return frozenset(zoneinfo.available_timezones())


def time_zone(raw: str) -> zoneinfo.ZoneInfo:
    if raw not in _known_zones():
        raise ValueError(VALUE_TIMEZONE.format(value=raw))
    return zoneinfo.ZoneInfo(raw)


def date_time(raw: str, *, zone: zoneinfo.ZoneInfo, date_only: bool = False) -> dt.datetime | None:
    """ISO 8601 with or without an offset; without one, the time is local to `zone`."""
    if not raw:
        return None
    if DATE_ONLY.match(raw) and not date_only:
        raise ValueError(VALUE_DATETIME.format(value=raw))
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(VALUE_DATETIME.format(value=raw)) from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zone)
    if not dates.in_range(value):
        raise ValueError(VALUE_DATETIME_RANGE.format(value=raw))
    return value


def name_list(raw: str) -> list[str]:
    """Semicolon-separated names, blanks and repeats dropped, in the file's order."""
    names: dict[str, str] = {}
    for name in raw.split(LIST_SEPARATOR):
        name = " ".join(name.split())
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())
