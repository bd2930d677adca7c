"""iCalendar feeds (RFC 5545): theme releases, and the featured sessions of a theme.

UIDs are derived from primary keys only, so a subscribed calendar updates the entry it
already has when a release moves or a session changes, instead of adding a second one.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from catalog.models import Offering

from .models import Theme

PRODID = "-//Learning Portal//Themes//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _host() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "learning-portal"


def release_uid(theme: Theme) -> str:
    return f"theme-{theme.pk}-release@{_host()}"


def session_uid(offering: Offering) -> str:
    # The same event as the catalog's, not the per-person invite: this is a public listing.
    return f"offering-{offering.pk}@{_host()}"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def releases_calendar(
    *, released: Iterable[Theme], upcoming: Iterable[Theme], now: datetime.datetime
) -> bytes:
    """All-day events on each release date. Upcoming releases carry no title (not public yet)."""
    calendar = _calendar(f"{settings.PORTAL_NAME}: monthly themes")
    stamp = now.astimezone(datetime.UTC)
    for theme, is_released in [(t, True) for t in released] + [(t, False) for t in upcoming]:
        day = timezone.localtime(theme.release_at).date()
        event = Event()
        event.add("uid", release_uid(theme))
        event.add("dtstamp", stamp)
        event.add("last-modified", theme.updated_at.astimezone(datetime.UTC))
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        if is_released:
            event.add("summary", f"Learning theme: {theme.title}")
            url = f"{settings.PORTAL_BASE_URL}{theme.get_absolute_url()}"
            event.add("url", url)
            event.add("description", f"This month's learning theme is out. {url}")
        else:
            event.add("summary", f"New learning theme for {theme.month:%B %Y}")
        calendar.add_component(event)
    return calendar.to_ical()


def sessions_calendar(*, theme: Theme, offerings: Iterable[Offering], now: datetime.datetime):
    """The theme's featured sessions with their local time zones (TZID + VTIMEZONE)."""
    calendar = _calendar(f"{settings.PORTAL_NAME}: {theme.title} sessions")
    stamp = now.astimezone(datetime.UTC)
    dates: list[datetime.date] = []
    for offering in offerings:
        item = offering.item
        url = f"{settings.PORTAL_BASE_URL}{item.get_absolute_url()}?source=theme_page"
        event = Event()
        event.add("uid", session_uid(offering))
        event.add("dtstamp", stamp)
        event.add("sequence", offering.sequence)
        event.add("dtstart", offering.local_starts_at)
        event.add("dtend", offering.local_ends_at)
        event.add("summary", f"{item.title} — {offering.title}" if offering.title else item.title)
        event.add("description", f"{item.summary}\n\nDetails and enrollment: {url}")
        # Never the join link: the feed is for anyone who may see the theme, and a session's
        # call is for those who enrolled (their own calendar file and emails carry it).
        location = offering.location or ("Online" if offering.online_url else "")
        if location:
            event.add("location", location)
        event.add("url", url)
        calendar.add_component(event)
        dates.append(offering.local_starts_at.date())
    if dates:
        calendar.add_missing_timezones(
            first_date=min(dates) - datetime.timedelta(days=31),
            last_date=max(dates) + datetime.timedelta(days=31),
        )
    return calendar.to_ical()
