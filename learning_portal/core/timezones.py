"""Time zones people pick and read: the list offered, their names, and a span of time in one.

Sessions are stored in UTC with the zone they are held in; each person reads them in their
own zone (people.User.time_zone, default the organisation's TIME_ZONE), which
people.middleware activates for the request, with the session's own zone noted beside it
when it differs.
"""

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, timezone


@functools.cache
def zone_keys() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_zone(key: str) -> bool:
    return key in zone_keys()


@functools.cache
def zone_choices() -> list[tuple[str, str]]:
    """Region/City zones for a select, by name ("America/New_York" as "America/New York";
    short, so the select fits a phone's width)."""
    # Region/City only: every three-part zone ("America/Argentina/Buenos_Aires") also has a
    # two-part name ("America/Buenos_Aires"), and the list stays narrow enough for a phone.
    keys = sorted(
        key
        for key in zone_keys()
        if key.count("/") == 1 and key.split("/", 1)[0] not in {"Etc", "SystemV", "US", "Brazil"}
    )
    return [(key, key.replace("_", " ")) for key in keys]


def portal_today() -> dt.date:
    """Today in the organisation's zone (TIME_ZONE), whoever is reading.

    Daily counts are bucketed by it: the request runs in the reader's zone, and a count
    filed under the reader's date would move between days with who happened to trigger it.
    """
    return timezone.localdate(timezone=timezone.get_default_timezone())


def reader_zone(chosen: str) -> zoneinfo.ZoneInfo:
    """The zone a person reads times in: their choice (people.User.time_zone), else the
    organisation's. For what is rendered outside their request (emails)."""
    return zoneinfo.ZoneInfo(chosen if chosen and is_zone(chosen) else settings.TIME_ZONE)


def zone_label(key: str) -> str:
    """How a zone reads in a sentence: "London time", "New York time", "UTC"."""
    if "/" not in key:
        return key
    return f"{key.rsplit('/', 1)[1].replace('_', ' ')} time"


def zone_key(tz) -> str:
    return getattr(tz, "key", None) or str(tz)


def span_text(
    starts_at: dt.datetime, ends_at: dt.datetime, tz, *, long: bool = False, series: bool = False
) -> str:
    """'Tue 8 Dec 2026, 14:00–16:00' in `tz` ('Tuesday 8 December 2026, …' when `long`, for
    emails); a span over several days says so: 'Mon 7 Dec, 09:00 – Wed 9 Dec 2026, 16:30
    (3 days)'; a `series` of meetings (a learning circle) gives its first and last days:
    'Tue 17 Nov – Tue 15 Dec 2026, a series of meetings'."""
    day, day_of_year = ("l j F Y", "l j F") if long else ("D j M Y", "D j M")
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if series and start.date() != end.date():
        first = formats.date_format(start, day_of_year if start.year == end.year else day)
        return f"{first} – {formats.date_format(end, day)}, a series of meetings"
    time_from = formats.time_format(start, "H:i")
    time_to = formats.time_format(end, "H:i")
    if start.date() == end.date():
        return f"{formats.date_format(start, day)}, {time_from}–{time_to}"
    days = (end.date() - start.date()).days + 1
    # A session that ends just after midnight is an evening, not two days.
    if days == 2 and end - start < dt.timedelta(hours=12):
        return f"{formats.date_format(start, day)}, {time_from}–{time_to} (next day)"
    first = formats.date_format(start, day_of_year if start.year == end.year else day)
    return f"{first}, {time_from} – {formats.date_format(end, day)}, {time_to} ({days} days)"


@dataclass(frozen=True)
class ViewerSpan:
    """A session's time for one reader: in their zone, and in its own when the clocks differ."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    text: str
    zone: str
    own_text: str = ""
    own_zone: str = ""

    def __str__(self) -> str:
        if not self.zone:
            return self.text
        if self.own_text:
            return f"{self.text} {self.zone} ({self.own_text} {self.own_zone})"
        return f"{self.text} {self.zone}"


def span_for_viewer(
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    own_zone: str,
    viewer_tz=None,
    *,
    series: bool = False,
    long: bool = False,
) -> ViewerSpan:
    """The span in the viewer's zone (default: the active zone: the request's, or an email
    reader's), noting the zone the session is held in when its clock reads otherwise (New York
    for a London reader). `long` spells days and months out, for emails."""
    viewer_tz = viewer_tz or timezone.get_current_timezone()
    text = span_text(starts_at, ends_at, viewer_tz, series=series, long=long)
    if series and starts_at.astimezone(viewer_tz).date() != ends_at.astimezone(viewer_tz).date():
        # A series' first and last days, no clock time: a zone would only puzzle.
        return ViewerSpan(starts_at, ends_at, text, zone="")
    own_tz = zoneinfo.ZoneInfo(own_zone) if is_zone(own_zone) else viewer_tz
    own_text = span_text(starts_at, ends_at, own_tz, series=series, long=long)
    own_start, viewer_start = starts_at.astimezone(own_tz), starts_at.astimezone(viewer_tz)
    if own_text != text and own_start.date() == viewer_start.date() and "(" not in own_text:
        # Same day in both zones: the times are what differ.
        own_text = own_text.split(", ", 1)[1]
    if own_text == text:
        return ViewerSpan(starts_at, ends_at, text, zone_label(zone_key(viewer_tz)))
    return ViewerSpan(
        starts_at,
        ends_at,
        text,
        zone_label(zone_key(viewer_tz)),
        own_text=own_text,
        own_zone=zone_label(own_zone),
    )
