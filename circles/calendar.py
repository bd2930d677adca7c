"""iCalendar for circles: one recurring event per person (invites) and per circle (feed).

Built on `enrollment.calendar`: the invite's UID is the person's invite for the circle's
session (`invite_uid`) and its SEQUENCE is `invite_sequence` (the session's revision plus
the person's departures), so it stays stable across changes and re-joins. The series is a
weekly RRULE from the first slot; a cancelled meeting is an EXDATE and a moved one an
override with the RECURRENCE-ID of the slot it replaces, so a calendar shows exactly the
meetings the circle page shows, in the circle's own time zone (DST included).
"""

import datetime

from django.utils import timezone
from icalendar import Event

from enrollment.calendar import (
    CANCEL,
    REQUEST,
    attendee,
    invite_calendar,
    invite_sequence,
    invite_uid,
    organizer,
    uid_host,
)
from notifications.services import absolute_url
from people.models import User

from .models import Circle, Meeting

__all__ = ["CANCEL", "REQUEST", "circle_feed", "series_invite"]


def feed_uid(circle: Circle) -> str:
    return f"circle-{circle.pk}@{uid_host()}"


def _local(circle: Circle, moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, circle.tzinfo)


def _describe(event: Event, circle: Circle, *, with_link: bool) -> None:
    url = absolute_url(circle.get_absolute_url())
    lines = [circle.reading, ""]
    if with_link and circle.video_url:
        lines.append(f"Join the call: {circle.video_url}")
        event.add("location", circle.video_url)
    lines.append(f"Circle page and discussion: {url}")
    event.add("summary", f"{circle.title} (learning circle)")
    event.add("description", "\n".join(lines))
    event.add("url", url)


def _series_events(circle: Circle, *, uid: str, sequence: int, with_link: bool) -> list[Event]:
    meetings: list[Meeting] = sorted(circle.meetings.all(), key=lambda m: m.week)
    first = meetings[0]
    length = datetime.timedelta(minutes=circle.duration_minutes)
    stamp = timezone.now().astimezone(datetime.UTC)

    master = Event()
    master.add("uid", uid)
    master.add("dtstamp", stamp)
    master.add("dtstart", _local(circle, first.scheduled_for))
    master.add("dtend", _local(circle, first.scheduled_for + length))
    master.add("rrule", {"freq": "weekly", "count": len(meetings)})
    cancelled = [_local(circle, m.scheduled_for) for m in meetings if m.is_cancelled]
    if cancelled:
        master.add("exdate", cancelled)
    master.add("sequence", sequence)
    master.add("status", "CONFIRMED")
    _describe(master, circle, with_link=with_link)
    events = [master]
    for meeting in meetings:
        if meeting.is_cancelled or not meeting.is_moved:
            continue
        moved = Event()
        moved.add("uid", uid)
        moved.add("dtstamp", stamp)
        moved.add("recurrence-id", _local(circle, meeting.scheduled_for))
        moved.add("dtstart", _local(circle, meeting.starts_at))
        moved.add("dtend", _local(circle, meeting.ends_at))
        moved.add("sequence", sequence)
        moved.add("status", "CONFIRMED")
        _describe(moved, circle, with_link=with_link)
        events.append(moved)
    return events


def _finish(calendar, circle: Circle) -> bytes:
    meetings = list(circle.meetings.all())
    first = min(m.starts_at for m in meetings)
    last = max(m.ends_at for m in meetings)
    calendar.add_missing_timezones(
        first_date=first.date() - datetime.timedelta(days=366),
        last_date=last.date() + datetime.timedelta(days=366),
    )
    return calendar.to_ical()


def series_invite(*, circle: Circle, user: User, method: str) -> bytes:
    """The person's invite to every meeting of the circle, as a REQUEST or a CANCEL."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"Unsupported iCalendar method: {method}")
    offering = circle.offering
    uid = invite_uid(offering=offering, user=user)
    sequence = invite_sequence(offering=offering, user=user, method=method)
    calendar = invite_calendar(method)
    if method == CANCEL:
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
        first = min(circle.meetings.all(), key=lambda m: m.week)
        event.add("dtstart", _local(circle, first.scheduled_for))
        event.add("sequence", sequence)
        event.add("status", "CANCELLED")
        event.add("summary", f"{circle.title} (learning circle)")
        event.add("organizer", organizer())
        event.add("attendee", attendee(user, method))
        calendar.add_component(event)
        return _finish(calendar, circle)
    for event in _series_events(circle, uid=uid, sequence=sequence, with_link=True):
        event.add("organizer", organizer())
        event.add("attendee", attendee(user, method))
        calendar.add_component(event)
    return _finish(calendar, circle)


def circle_feed(*, circle: Circle, with_link: bool) -> bytes:
    """A subscribable feed of the circle's meetings (no METHOD: a published calendar)."""
    calendar = invite_calendar(None)
    calendar.add("x-wr-calname", circle.title)
    for event in _series_events(
        circle, uid=feed_uid(circle), sequence=circle.offering.sequence, with_link=with_link
    ):
        calendar.add_component(event)
    return _finish(calendar, circle)
