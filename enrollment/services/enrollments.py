"""A person's enrollments: enroll, withdraw, switch sessions, complete, attendance."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Item, Offering
from people.models import User

from ..models import ACTIVE_STATUSES, Enrollment, Source, TranscriptEvent
from ..selectors import item_is_enrollable_by
from .locking import lock_enrollment, lock_offering, lock_offerings
from .messages import (
    ALREADY_IN_OTHER_SESSION,
    ATTENDANCE_BEFORE_START,
    ATTENDANCE_NOT_ENROLLED,
    ATTENDANCE_NOT_SESSION,
    COMPLETE_NOT_ENROLLED,
    COMPLETE_NOT_SELF_PACED,
    ENROLLMENT_CLOSED,
    ITEM_NOT_AVAILABLE,
    OFFERING_CANCELLED,
    OFFERING_OTHER_ITEM,
    OFFERING_REQUIRED,
    SELF_PACED_HAS_NO_SESSIONS,
    SWITCH_NOT_ACTIVE,
    SWITCH_SAME_OFFERING,
    USER_INACTIVE,
)
from .seats import active_for_item, cause, enroll_locked, promote_locked, withdraw_locked
from .transcript import transition


def enrollment_create(
    *,
    user: User,
    item: Item,
    offering: Offering | None = None,
    source: str = Source.DIRECT,
    actor: User | None = None,
) -> Enrollment:
    """Enroll `user` in a self-paced `item`, or in `offering` (a session of `item`).

    Takes a seat when one is free, otherwise joins the waitlist (FIFO) when the session has
    one. Idempotent for double submits: when the person already holds an active enrollment
    in this item and session (including one created concurrently), that one is returned.
    `actor` is who did it (default: the person); `source` is an already-validated Source.
    Writes a `registered` or `waitlisted` transcript event and schedules the email on commit.
    Every write happens in one atomic block (the transaction, or a savepoint when called
    inside one); the checks before it only read.

    Raises ValidationError: USER_INACTIVE, ITEM_NOT_AVAILABLE, OFFERING_REQUIRED,
    SELF_PACED_HAS_NO_SESSIONS, OFFERING_OTHER_ITEM, OFFERING_CANCELLED, ENROLLMENT_CLOSED,
    OFFERING_FULL, ALREADY_IN_OTHER_SESSION.
    """
    actor = actor or user
    if not user.is_active:
        raise ValidationError(USER_INACTIVE)
    if not item_is_enrollable_by(user=user, item=item):
        raise ValidationError(ITEM_NOT_AVAILABLE)
    if item.is_self_paced and offering is not None:
        raise ValidationError(SELF_PACED_HAS_NO_SESSIONS)
    if not item.is_self_paced:
        if offering is None:
            raise ValidationError(OFFERING_REQUIRED)
        if offering.item_id != item.pk:
            raise ValidationError(OFFERING_OTHER_ITEM)
    # Checked before the session's lock, which everyone enrolling in it waits for: the lock
    # is held only to count and write. A concurrent submit by the same person is caught by
    # the unique constraint below instead.
    existing = active_for_item(user=user, item=item)
    if existing is None:
        try:
            return _enroll_in_turn(
                user=user, item=item, offering=offering, source=source, actor=actor
            )
        except IntegrityError:
            # A concurrent submit by the same person won the unique constraint; the atomic
            # block rolled back, so nothing of this attempt remains.
            existing = active_for_item(user=user, item=item)
            if existing is None:
                raise
    if existing.offering_id == (offering.pk if offering else None):
        return existing
    raise ValidationError(ALREADY_IN_OTHER_SESSION)


@transaction.atomic
def _enroll_in_turn(
    *, user: User, item: Item, offering: Offering | None, source: str, actor: User
) -> Enrollment:
    # Everyone enrolling in this session waits for its lock, so from the lock to the commit
    # only the count and the writes run (lock, count, enrollment, transcript event, outbox
    # row): this block itself is the unit a losing double submit rolls back, so no savepoint
    # costs two more round trips while the lock is held.
    if offering is not None:
        # Serializes everyone enrolling in this session: seats and queue order are
        # decided one at a time, in the order the lock is granted.
        offering = lock_offering(offering, item=item)
    return enroll_locked(
        user=user, item=item, offering=offering, source=source, actor=actor,
        now=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def enrollment_withdraw(
    *, enrollment: Enrollment, actor: User, source: str | None = None, note: str = ""
) -> Enrollment:
    """Withdraw an active enrollment (seat or waitlist place) before the session starts.

    A freed seat promotes the first eligible person on the waitlist. Writes a `withdrew`
    event (source: `source`, default the enrollment's own) and schedules the withdrawal email.

    Raises ValidationError: WITHDRAW_NOT_ACTIVE, WITHDRAW_TOO_LATE.
    """
    offering = lock_offering(enrollment.offering) if enrollment.offering_id else None
    enrollment = lock_enrollment(enrollment)
    now = timezone.now()
    held_seat = withdraw_locked(
        enrollment=enrollment,
        actor=actor,
        source=source or enrollment.source,
        now=now,
        note=note,
    )
    if held_seat and offering is not None:
        promote_locked(offering=offering, actor=cause(actor, enrollment), now=now)
    return enrollment


@transaction.atomic
def enrollment_switch(
    *, enrollment: Enrollment, offering: Offering, actor: User, source: str | None = None
) -> Enrollment:
    """Move an active enrollment to another session of the same item, atomically.

    The old place is withdrawn and the new one created in one transaction; a seat is never
    traded for a waitlist place (SWITCH_WOULD_LOSE_SEAT), so on any error nothing changes.
    Returns the new enrollment.

    Raises ValidationError: SWITCH_NOT_ACTIVE, SWITCH_SAME_OFFERING, OFFERING_OTHER_ITEM,
    WITHDRAW_TOO_LATE, OFFERING_CANCELLED, ENROLLMENT_CLOSED, OFFERING_FULL,
    SWITCH_WOULD_LOSE_SEAT, ITEM_NOT_AVAILABLE.
    """
    if enrollment.offering_id is None or enrollment.status not in ACTIVE_STATUSES:
        raise ValidationError(SWITCH_NOT_ACTIVE)
    if offering.pk == enrollment.offering_id:
        raise ValidationError(SWITCH_SAME_OFFERING)
    if offering.item_id != enrollment.item_id:
        raise ValidationError(OFFERING_OTHER_ITEM)
    # Both sessions locked in id order, so two opposite switches cannot deadlock.
    locked = lock_offerings(enrollment.offering_id, offering.pk)
    old_offering, new_offering = locked[enrollment.offering_id], locked[offering.pk]
    enrollment = lock_enrollment(enrollment)
    if enrollment.status not in ACTIVE_STATUSES:
        raise ValidationError(SWITCH_NOT_ACTIVE)
    user = enrollment.user
    if not item_is_enrollable_by(user=user, item=enrollment.item):
        raise ValidationError(ITEM_NOT_AVAILABLE)
    now = timezone.now()
    held_seat = enrollment.status == Enrollment.Status.ENROLLED
    # Checked before anything is written, so a refused switch changes nothing.
    if new_offering.status == Offering.Status.CANCELLED:
        raise ValidationError(OFFERING_CANCELLED)
    if not new_offering.is_enrollment_open(now):
        raise ValidationError(ENROLLMENT_CLOSED)
    source = source or enrollment.source
    withdraw_locked(
        enrollment=enrollment,
        actor=actor,
        source=source,
        now=now,
        note=f"Switched to {new_offering}",
    )
    new_enrollment = enroll_locked(
        user=user,
        item=enrollment.item,
        offering=new_offering,
        source=source,
        actor=actor,
        now=now,
        note=f"Switched from {old_offering}",
        keep_seat=held_seat,
    )
    if held_seat:
        promote_locked(offering=old_offering, actor=cause(actor, enrollment), now=now)
    return new_enrollment


@transaction.atomic
def enrollment_complete(*, enrollment: Enrollment, actor: User, reflection: str = "") -> Enrollment:
    """Self-attested completion of a self-paced item, with an optional reflection note.

    Raises ValidationError: COMPLETE_NOT_SELF_PACED, COMPLETE_NOT_ENROLLED.
    """
    enrollment = lock_enrollment(enrollment)
    if enrollment.offering_id is not None:
        raise ValidationError(COMPLETE_NOT_SELF_PACED)
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ValidationError(COMPLETE_NOT_ENROLLED)
    now = timezone.now()
    reflection = reflection.strip()
    transition(
        enrollment,
        status=Enrollment.Status.COMPLETED,
        completed_at=now,
        reflection=reflection,
        kind=TranscriptEvent.Kind.COMPLETED,
        source=enrollment.source,
        actor=actor,
        at=now,
        note=reflection,
    )
    return enrollment


@transaction.atomic
def attendance_mark(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """An admin or facilitator records that a person attended a session: it is completed.

    Raises ValidationError: ATTENDANCE_NOT_SESSION, ATTENDANCE_NOT_ENROLLED,
    ATTENDANCE_BEFORE_START.
    """
    enrollment = lock_enrollment(enrollment)
    if enrollment.offering_id is None:
        raise ValidationError(ATTENDANCE_NOT_SESSION)
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ValidationError(ATTENDANCE_NOT_ENROLLED)
    now = timezone.now()
    if not enrollment.offering.has_started(now):
        raise ValidationError(ATTENDANCE_BEFORE_START)
    transition(
        enrollment,
        status=Enrollment.Status.COMPLETED,
        completed_at=now,
        kind=TranscriptEvent.Kind.COMPLETED,
        source=Source.ADMIN,
        actor=actor,
        at=now,
        note="Attendance marked",
    )
    return enrollment
