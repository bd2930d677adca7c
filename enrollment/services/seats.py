"""Taking, giving up and filling seats; each runs with the session's row already locked.

Each free seat goes to exactly one person because the seat count is read under the offering
lock (see `locking`). Partial unique constraints on Enrollment are the last line of defence
against double submits: a losing insert raises IntegrityError, and the caller's atomic block
(`enrollment_create`'s, a savepoint when nested) rolls the attempt back.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q

from catalog.models import Item, Offering
from people.models import User

from .. import tasks
from ..models import ACTIVE_STATUSES, Enrollment, TranscriptEvent
from ..selectors import SEATED, item_is_enrollable_by, offering_seats_taken
from .messages import (
    ENROLLMENT_CLOSED,
    OFFERING_CANCELLED,
    OFFERING_FULL,
    SWITCH_WOULD_LOSE_SEAT,
    WITHDRAW_NOT_ACTIVE,
    WITHDRAW_SERIES_OVER,
    WITHDRAW_TOO_LATE,
)
from .transcript import event, schedule, transition


def active_for_item(*, user: User, item: Item) -> Enrollment | None:
    return Enrollment.objects.filter(user=user, item=item, status__in=ACTIVE_STATUSES).first()


def queue_state(offering: Offering) -> tuple[int, int, datetime.datetime | None]:
    """Seats taken, people waiting and the last waitlist time, in one query (it runs under
    the lock)."""
    waiting = Q(status=Enrollment.Status.WAITLISTED)
    state = Enrollment.objects.filter(offering=offering).aggregate(
        seated=Count("pk", filter=Q(status__in=SEATED)),
        waiting=Count("pk", filter=waiting),
        last=Max("waitlisted_at", filter=waiting),
    )
    return state["seated"], state["waiting"], state["last"]


def next_waitlist_time(last: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    """Now, or just after the last person in line: the queue order is strict, never a tie."""
    if last is not None and last >= now:
        return last + datetime.timedelta(microseconds=1)
    return now


def enroll_locked(
    *,
    user: User,
    item: Item,
    offering: Offering | None,
    source: str,
    actor: User | None,
    now: datetime.datetime,
    note: str = "",
    keep_seat: bool = False,
) -> Enrollment:
    """Create the enrollment; the offering (if any) is already locked by the caller."""
    last_in_line = None
    waiting = 0
    if offering is None:
        status = Enrollment.Status.ENROLLED
    else:
        if offering.status == Offering.Status.CANCELLED:
            raise ValidationError(OFFERING_CANCELLED)
        if not offering.is_enrollment_open(now):
            raise ValidationError(ENROLLMENT_CLOSED)
        seated, waiting, last_in_line = queue_state(offering)
        if offering.capacity is None or seated < offering.capacity:
            status = Enrollment.Status.ENROLLED
        elif not offering.waitlist_enabled:
            raise ValidationError(OFFERING_FULL)
        elif keep_seat:
            raise ValidationError(SWITCH_WOULD_LOSE_SEAT)
        else:
            status = Enrollment.Status.WAITLISTED
    waitlisted = status == Enrollment.Status.WAITLISTED
    enrollment = Enrollment(
        user=user,
        item=item,
        offering=offering,
        status=status,
        source=source,
        enrolled_at=None if waitlisted else now,
        waitlisted_at=next_waitlist_time(last_in_line, now) if waitlisted else None,
    )
    enrollment.save()
    # Known under the lock: joining at the end of a strict FIFO line. Whoever answers the
    # click can say where the person stands without asking the database again.
    enrollment.joined_waitlist_at_position = waiting + 1 if waitlisted else None
    event(
        enrollment=enrollment,
        kind=TranscriptEvent.Kind.WAITLISTED if waitlisted else TranscriptEvent.Kind.REGISTERED,
        source=source,
        actor=actor,
        at=enrollment.waitlisted_at if waitlisted else now,
        note=note,
    )
    if waitlisted:
        schedule(tasks.send_waitlist_confirmation, enrollment.pk)
    else:
        schedule(tasks.send_enrollment_confirmation, enrollment.pk)
    return enrollment


def withdraw_locked(
    *,
    enrollment: Enrollment,
    actor: User | None,
    source: str,
    now: datetime.datetime,
    note: str = "",
) -> bool:
    """Withdraw a locked, active enrollment. Returns whether it held a seat."""
    if enrollment.status not in ACTIVE_STATUSES:
        raise ValidationError(WITHDRAW_NOT_ACTIVE)
    if not enrollment.can_withdraw(now):
        over = enrollment.offering.meeting_series
        raise ValidationError(WITHDRAW_SERIES_OVER if over else WITHDRAW_TOO_LATE)
    held_seat = enrollment.status == Enrollment.Status.ENROLLED
    transition(
        enrollment,
        status=Enrollment.Status.WITHDRAWN,
        withdrawn_at=now,
        kind=TranscriptEvent.Kind.WITHDREW,
        source=source,
        actor=actor,
        at=now,
        note=note,
    )
    schedule(tasks.send_withdrawal_notice, enrollment.pk)
    return held_seat


def cause(actor: User | None, enrollment: Enrollment) -> User | None:
    """Who a promotion is attributed to: an admin acting, never another learner.

    A seat freed by a learner's own withdrawal promotes "by the system", so nobody's record
    shows who else gave up their place.
    """
    return None if actor is None or actor.pk == enrollment.user_id else actor


def promote_locked(
    *, offering: Offering, actor: User | None, now: datetime.datetime
) -> list[Enrollment]:
    """Fill free seats from the waitlist, first in first out; the offering is locked.

    Each free seat goes to exactly one person because the seat count is read under the
    offering lock. People no longer eligible are skipped and keep their place.
    """
    if offering.status != Offering.Status.SCHEDULED or offering.has_started(now):
        return []
    free = (
        None
        if offering.capacity is None
        else offering.capacity - offering_seats_taken(offering=offering)
    )
    if free is not None and free <= 0:
        return []
    queue = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(offering=offering, status=Enrollment.Status.WAITLISTED)
        .select_related("user", "item")
        .order_by("waitlisted_at", "id")
    )
    promoted = []
    for enrollment in queue:
        if free is not None and len(promoted) >= free:
            break
        user = enrollment.user
        if not (user.is_active and item_is_enrollable_by(user=user, item=offering.item)):
            continue
        transition(
            enrollment,
            status=Enrollment.Status.ENROLLED,
            enrolled_at=now,
            kind=TranscriptEvent.Kind.PROMOTED,
            source=enrollment.source,
            actor=actor,
            at=now,
        )
        schedule(tasks.send_promotion_notice, enrollment.pk)
        promoted.append(enrollment)
    return promoted
