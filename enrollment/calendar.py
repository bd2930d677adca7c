"""iCalendar invites for sessions (RFC 5545 content, RFC 5546 REQUEST/CANCEL methods).

One event per (session, person), with a UID that never changes, so a calendar updates or
removes the entry it already has instead of adding a second one.
"""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from catalog.models import Offering
from people.models import User

from .models import TranscriptEvent

REQUEST = "REQUEST"
CANCEL = "CANCEL"
# A file the person downloads ("Add to calendar"): the same event as their emailed invite
# (same UID and SEQUENCE), so a calendar that has one keeps a single entry.
PUBLISH = "PUBLISH"
PRODID = "-//Learning Portal//Enrollment//EN"


def invite_mimetype(method: str) -> str:
    return f"text/calendar; method={method}; charset=utf-8"


def uid_host() -> str:
    return urlsplit(settings.PORTAL_BASE_URL).hostname or "learning-portal"


def invite_uid(*, offering: Offering, user: User) -> str:
    return f"offering-{offering.pk}-user-{user.pk}@{uid_host()}"


def invite_sequence(*, offering: Offering, user: User, method: str) -> int:
    """The SEQUENCE for this person's copy of the event.

    It is `offering.sequence` (bumped by the services when the time or place changes) for
    anyone who never left the session. Calendars ignore a message whose SEQUENCE is not
    newer than the last one they applied, so each time the person left (withdrew, or the
    session was cancelled) adds two: the CANCEL gets one more than the invite before it,
    and a later re-enrollment's REQUEST one more again, so it re-creates the entry.
    """
    departures = TranscriptEvent.objects.filter(
        user=user,
        offering=offering,
        kind__in=[TranscriptEvent.Kind.WITHDREW, TranscriptEvent.Kind.CANCELLED],
    ).count()
    if method == CANCEL:
        # The departure being announced is normally already recorded; if it is not, this
        # CANCEL still outranks the REQUEST that preceded it.
        return offering.sequence + max(2 * departures - 1, 1)
    return offering.sequence + 2 * departures


def organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = vText(name or settings.PORTAL_NAME)
    return organizer


def attendee(user: User, method: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{user.email}")
    attendee.params["CN"] = vText(user.get_full_name() or user.email)
    attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
    attendee.params["PARTSTAT"] = vText("DECLINED" if method == CANCEL else "ACCEPTED")
    # The person enrolled on the portal: their calendar must not ask them to reply.
    attendee.params["RSVP"] = vText("FALSE")
    return attendee


def invite_calendar(method: str | None) -> Calendar:
    """An empty VCALENDAR: an invite (REQUEST/CANCEL) or, with no method, a feed."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("calscale", "GREGORIAN")
    return calendar


def offering_invite(*, offering: Offering, user: User, method: str) -> bytes:
    """The .ics for one person's place in one session, as a REQUEST, a CANCEL or, for a
    download, PUBLISH (the same event without the attendee a downloaded file has no use for)."""
    if method not in (REQUEST, CANCEL, PUBLISH):
        raise ValueError(f"Unsupported iCalendar method: {method}")
    item = offering.item
    item_url = f"{settings.PORTAL_BASE_URL}{item.get_absolute_url()}"
    starts_at = offering.local_starts_at
    ends_at = offering.local_ends_at

    calendar = invite_calendar(method)

    event = Event()
    event.add("uid", invite_uid(offering=offering, user=user))
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    sequence_of = CANCEL if method == CANCEL else REQUEST
    event.add("sequence", invite_sequence(offering=offering, user=user, method=sequence_of))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    summary = item.title if not offering.title else f"{item.title} — {offering.title}"
    event.add("summary", summary)
    description_lines = [item.summary, ""]
    if offering.online_url:
        description_lines.append(f"Join online: {offering.online_url}")
    if offering.location:
        description_lines.append(f"Where: {offering.location}")
    description_lines.append(f"Details: {item_url}")
    event.add("description", "\n".join(description_lines))
    location = offering.location or offering.online_url
    if location:
        event.add("location", location)
    event.add("url", item_url)
    event.add("transp", "TRANSPARENT" if method == CANCEL else "OPAQUE")
    event.add("organizer", organizer())
    if method != PUBLISH:
        event.add("attendee", attendee(user, method))
    calendar.add_component(event)
    # Only the years around the session, so the invite stays small.
    calendar.add_missing_timezones(
        first_date=starts_at.date() - datetime.timedelta(days=366),
        last_date=ends_at.date() + datetime.timedelta(days=366),
    )
    return calendar.to_ical()
