"""Changes to single meetings, and RSVPs."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment.services import (
    offering_invites_revise,
    offering_update,
)
from notifications.services import outbox_schedule
from people.models import User

from .. import tasks
from ..models import Circle, Meeting, Rsvp
from ..selectors import circle_membership
from .lifecycle import _require_manager

MEETING_CANCELLED = "This meeting is cancelled."
MEETING_PAST = "This meeting is over, so it can no longer be changed."
MEETING_NOT_IN_FUTURE = "Move the meeting to a time in the future."
MEETING_CLASH = "Another meeting of this circle is at that time."
RSVP_NOT_MEMBER = "Only the circle's members answer for its meetings."


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("circle").get(pk=meeting.pk)


def _span_follow(circle: Circle, *, actor: User) -> None:
    """Keep the session's span on the meetings still held; bump SEQUENCE either way."""
    held = circle.meetings.filter(status=Meeting.Status.SCHEDULED)
    first = held.order_by("starts_at").first()
    last = held.order_by("-ends_at").first()
    offering = circle.offering
    if first is not None and (offering.starts_at, offering.ends_at) != (
        first.starts_at,
        last.ends_at,
    ):
        # The span changed: enrollment bumps SEQUENCE itself (and sends nothing for a series).
        offering_update(
            offering=offering, actor=actor, starts_at=first.starts_at, ends_at=last.ends_at
        )
    else:
        offering_invites_revise(offering=offering)


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, actor: User, starts_at: datetime.datetime, reminder_note: str = ""
) -> Meeting:
    """Move one meeting (the others stay); members get the updated invite and a notice.

    Its length stays the circle's. Raises ValidationError: NOT_ALLOWED, MEETING_CANCELLED,
    MEETING_PAST, MEETING_NOT_IN_FUTURE, MEETING_CLASH.
    """
    meeting = _lock_meeting(meeting)
    circle = meeting.circle
    _require_manager(circle=circle, actor=actor)
    now = timezone.now()
    if meeting.is_cancelled:
        raise ValidationError(MEETING_CANCELLED)
    if meeting.ends_at <= now:
        raise ValidationError(MEETING_PAST)
    if starts_at <= now:
        raise ValidationError(MEETING_NOT_IN_FUTURE)
    ends_at = starts_at + datetime.timedelta(minutes=circle.duration_minutes)
    clash = (
        circle.meetings.exclude(pk=meeting.pk)
        .filter(status=Meeting.Status.SCHEDULED, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exists()
    )
    if clash:
        raise ValidationError(MEETING_CLASH)
    moved = starts_at != meeting.starts_at
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.reminder_note = reminder_note.strip()
    meeting.save(update_fields=["starts_at", "ends_at", "reminder_note", "updated_at"])
    if moved:
        _span_follow(circle, actor=actor)
        outbox_schedule(task=tasks.send_meeting_changed, args=[meeting.pk])
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: User) -> Meeting:
    """Cancel one meeting; members get the updated invite (without it) and a notice.

    Raises ValidationError: NOT_ALLOWED, MEETING_CANCELLED, MEETING_PAST.
    """
    meeting = _lock_meeting(meeting)
    circle = meeting.circle
    _require_manager(circle=circle, actor=actor)
    if meeting.is_cancelled:
        raise ValidationError(MEETING_CANCELLED)
    if meeting.ends_at <= timezone.now():
        raise ValidationError(MEETING_PAST)
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    _span_follow(circle, actor=actor)
    outbox_schedule(task=tasks.send_meeting_changed, args=[meeting.pk])
    return meeting


@transaction.atomic
def rsvp_record(*, meeting: Meeting, user: User, answer: str) -> Rsvp:
    """A member's yes/no for a meeting; answering again replaces the answer.

    Raises ValidationError: RSVP_NOT_MEMBER, MEETING_CANCELLED, MEETING_PAST.
    """
    if not circle_membership(user=user, circle=meeting.circle).is_member:
        raise ValidationError(RSVP_NOT_MEMBER)
    if meeting.is_cancelled:
        raise ValidationError(MEETING_CANCELLED)
    if meeting.ends_at <= timezone.now():
        raise ValidationError(MEETING_PAST)
    rsvp, _ = Rsvp.objects.update_or_create(
        meeting=meeting,
        user=user,
        defaults={"answer": Rsvp.Answer(answer), "answered_at": timezone.now()},
    )
    return rsvp
