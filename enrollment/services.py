"""Every write to enrollments and the transcript.

The transcript (TranscriptEvent) is written here and nowhere else. Seat counting is correct
under concurrency because every change to who holds a seat in a session happens while the
session's Offering row is locked (`SELECT ... FOR UPDATE`); locks are always taken in the
order offering → enrollment, so two services never wait on each other in a cycle. Partial
unique constraints on Enrollment are the last line of defence against double submits: a
losing insert is caught and the existing enrollment returned.

Policies chosen here (and shown to learners on the confirmation pages):
- Withdrawal cut-off: until the session starts (after enrollment closes a person may still
  give up a seat, which goes to the waitlist); self-paced items any time before completion.
- Switching sessions never trades a seat for a waitlist place: if the new session is full,
  the switch is refused and the learner keeps their seat. A person on a waitlist may switch
  onto another session's waitlist.
- Lowering capacity never removes anyone: nobody is promoted until seats free up again.
- People no longer eligible (deactivated, or out of the item's audience) are skipped by
  promotion and stay where they are on the waitlist.
"""

import contextvars
import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.index import catalog_changed
from catalog.models import Item, Offering
from learning_portal.core.record_versions import record_version_bump
from people.models import User

from . import tasks
from .models import ACTIVE_STATUSES, Enrollment, SavedItem, SessionInterest, Source, TranscriptEvent
from .selectors import SEATED, item_is_enrollable_by, offering_seats_taken

USER_INACTIVE = "This account is deactivated, so it cannot enroll."
ITEM_NOT_AVAILABLE = "This learning item is not available to this person."
OFFERING_REQUIRED = "Choose a session: this item is taught in scheduled sessions."
SELF_PACED_HAS_NO_SESSIONS = "This item is self-paced: there is no session to choose."
OFFERING_OTHER_ITEM = "That session belongs to another learning item."
OFFERING_CANCELLED = "This session has been cancelled."
ENROLLMENT_CLOSED = "Enrollment for this session is closed."
OFFERING_FULL = "This session is full and has no waitlist."
ALREADY_IN_OTHER_SESSION = (
    "You already have a place in another session of this item. Switch sessions instead."
)
WITHDRAW_NOT_ACTIVE = "Only a current enrollment or waitlist place can be withdrawn."
WITHDRAW_TOO_LATE = "The session has started, so it is too late to withdraw."
SWITCH_NOT_ACTIVE = "Only a current enrollment or waitlist place can be switched."
SWITCH_SAME_OFFERING = "You are already in this session."
SWITCH_WOULD_LOSE_SEAT = (
    "That session is full. Switching would give up your seat for a waitlist place, so your "
    "current seat was kept."
)
COMPLETE_NOT_SELF_PACED = (
    "Sessions are marked complete by the facilitator when you attend, not by yourself."
)
COMPLETE_NOT_ENROLLED = "Only a current enrollment can be marked complete."
ATTENDANCE_NOT_SESSION = (
    "Attendance is marked for sessions only; self-paced items are self-attested."
)
ATTENDANCE_NOT_ENROLLED = "Only a person holding a seat can be marked as attended."
ATTENDANCE_BEFORE_START = "Attendance can be marked once the session has started."
CAPACITY_INVALID = "Capacity must be at least 1, or empty for no limit."
OFFERING_ALREADY_CANCELLED = "This session is already cancelled."
OFFERING_FIELD_NOT_EDITABLE = "%(field)s cannot be changed here."

# Who is acting, for changes that reach enrollments through an Offering save (see signals).
_acting = contextvars.ContextVar("enrollment_actor", default=None)

# Offering fields that change an invitation: a change bumps the iCalendar SEQUENCE.
INVITE_FIELDS = ("starts_at", "ends_at", "timezone", "location", "online_url")
OFFERING_EDITABLE_FIELDS = (
    "title",
    *INVITE_FIELDS,
    "capacity",
    "waitlist_enabled",
    "enrollment_opens_at",
    "enrollment_closes_at",
)
POPULARITY_WINDOW = datetime.timedelta(days=90)


@contextmanager
def acting_as(actor: User | None) -> Iterator[None]:
    """Attribute transcript events caused by an Offering save to `actor` (an admin)."""
    token = _acting.set(actor)
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> User | None:
    return _acting.get()


# --- internals ------------------------------------------------------------------------------


def _event(
    *, enrollment: Enrollment, kind: str, source: str, actor: User | None, at, note: str = ""
) -> TranscriptEvent:
    # Caches derived from the person's record (the widget's suggestions) start over.
    record_version_bump(user_id=enrollment.user_id)
    return TranscriptEvent.objects.create(
        user_id=enrollment.user_id,
        enrollment=enrollment,
        item_id=enrollment.item_id,
        offering_id=enrollment.offering_id,
        kind=kind,
        source=source,
        actor=actor,
        occurred_at=at,
        note=note,
    )


def _transition(
    enrollment: Enrollment,
    *,
    status: str,
    kind: str,
    source: str,
    actor: User | None,
    at: datetime.datetime,
    note: str = "",
    **stamps,
) -> None:
    """Move the enrollment to `status` (setting `stamps`, e.g. completed_at) and record it.

    The row and its transcript event are written together, so no change of status goes
    unrecorded.
    """
    enrollment.status = status
    for name, value in stamps.items():
        setattr(enrollment, name, value)
    enrollment.save(update_fields=["status", *stamps, "updated_at"])
    _event(enrollment=enrollment, kind=kind, source=source, actor=actor, at=at, note=note)


def _schedule(task, object_id: int) -> None:
    transaction.on_commit(lambda: task.delay(object_id))


def _lock_offering(offering: Offering) -> Offering:
    # OF self: the item row stays unlocked, so the catalog admin never waits on enrollments.
    return (
        Offering.objects.select_for_update(of=("self",)).select_related("item").get(pk=offering.pk)
    )


def _lock_enrollment(enrollment: Enrollment) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("item", "offering", "user")
        .get(pk=enrollment.pk)
    )


def _active_for_item(*, user: User, item: Item) -> Enrollment | None:
    return Enrollment.objects.filter(user=user, item=item, status__in=ACTIVE_STATUSES).first()


def _queue_state(offering: Offering) -> tuple[int, datetime.datetime | None]:
    """Seats taken and the last waitlist time, in one query (it runs under the lock)."""
    state = Enrollment.objects.filter(offering=offering).aggregate(
        seated=Count("pk", filter=Q(status__in=SEATED)),
        last=Max("waitlisted_at", filter=Q(status=Enrollment.Status.WAITLISTED)),
    )
    return state["seated"], state["last"]


def _next_waitlist_time(
    last: datetime.datetime | None, now: datetime.datetime
) -> datetime.datetime:
    """Now, or just after the last person in line: the queue order is strict, never a tie."""
    if last is not None and last >= now:
        return last + datetime.timedelta(microseconds=1)
    return now


def _enroll_locked(
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
    if offering is None:
        status = Enrollment.Status.ENROLLED
    else:
        if offering.status == Offering.Status.CANCELLED:
            raise ValidationError(OFFERING_CANCELLED)
        if not offering.is_enrollment_open(now):
            raise ValidationError(ENROLLMENT_CLOSED)
        seated, last_in_line = _queue_state(offering)
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
        waitlisted_at=_next_waitlist_time(last_in_line, now) if waitlisted else None,
    )
    # A savepoint, so a losing double submit leaves the outer transaction usable.
    with transaction.atomic():
        enrollment.save()
    _event(
        enrollment=enrollment,
        kind=TranscriptEvent.Kind.WAITLISTED if waitlisted else TranscriptEvent.Kind.REGISTERED,
        source=source,
        actor=actor,
        at=enrollment.waitlisted_at if waitlisted else now,
        note=note,
    )
    if waitlisted:
        _schedule(tasks.send_waitlist_confirmation, enrollment.pk)
    else:
        _schedule(tasks.send_enrollment_confirmation, enrollment.pk)
    return enrollment


def _withdraw_locked(
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
    if enrollment.offering_id and now >= enrollment.offering.starts_at:
        raise ValidationError(WITHDRAW_TOO_LATE)
    held_seat = enrollment.status == Enrollment.Status.ENROLLED
    _transition(
        enrollment,
        status=Enrollment.Status.WITHDRAWN,
        withdrawn_at=now,
        kind=TranscriptEvent.Kind.WITHDREW,
        source=source,
        actor=actor,
        at=now,
        note=note,
    )
    _schedule(tasks.send_withdrawal_notice, enrollment.pk)
    return held_seat


def _cause(actor: User | None, enrollment: Enrollment) -> User | None:
    """Who a promotion is attributed to: an admin acting, never another learner.

    A seat freed by a learner's own withdrawal promotes "by the system", so nobody's record
    shows who else gave up their place.
    """
    return None if actor is None or actor.pk == enrollment.user_id else actor


def _promote_locked(
    *, offering: Offering, actor: User | None, now: datetime.datetime
) -> list[Enrollment]:
    """Fill free seats from the waitlist, first in first out; the offering is locked.

    Each free seat goes to exactly one person because the seat count is read under the
    offering lock. People no longer eligible are skipped and keep their place.
    """
    if offering.status != Offering.Status.SCHEDULED or now >= offering.starts_at:
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
        _transition(
            enrollment,
            status=Enrollment.Status.ENROLLED,
            enrolled_at=now,
            kind=TranscriptEvent.Kind.PROMOTED,
            source=enrollment.source,
            actor=actor,
            at=now,
        )
        _schedule(tasks.send_promotion_notice, enrollment.pk)
        promoted.append(enrollment)
    return promoted


# --- enrollment -----------------------------------------------------------------------------


@transaction.atomic
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
        # Serializes everyone enrolling in this session: seats and queue order are decided
        # one at a time, in the order the lock is granted.
        offering = _lock_offering(offering)
    existing = _active_for_item(user=user, item=item)
    if existing is not None:
        if existing.offering_id == (offering.pk if offering else None):
            return existing
        raise ValidationError(ALREADY_IN_OTHER_SESSION)
    now = timezone.now()
    try:
        return _enroll_locked(
            user=user, item=item, offering=offering, source=source, actor=actor, now=now
        )
    except IntegrityError:
        # A concurrent submit by the same person won the unique constraint.
        existing = _active_for_item(user=user, item=item)
        if existing is None:
            raise
        return existing


@transaction.atomic
def enrollment_withdraw(
    *, enrollment: Enrollment, actor: User, source: str | None = None, note: str = ""
) -> Enrollment:
    """Withdraw an active enrollment (seat or waitlist place) before the session starts.

    A freed seat promotes the first eligible person on the waitlist. Writes a `withdrew`
    event (source: `source`, default the enrollment's own) and schedules the withdrawal email.

    Raises ValidationError: WITHDRAW_NOT_ACTIVE, WITHDRAW_TOO_LATE.
    """
    offering = _lock_offering(enrollment.offering) if enrollment.offering_id else None
    enrollment = _lock_enrollment(enrollment)
    now = timezone.now()
    held_seat = _withdraw_locked(
        enrollment=enrollment,
        actor=actor,
        source=source or enrollment.source,
        now=now,
        note=note,
    )
    if held_seat and offering is not None:
        _promote_locked(offering=offering, actor=_cause(actor, enrollment), now=now)
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
    locked = {
        o.pk: o
        for o in Offering.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(pk__in=[enrollment.offering_id, offering.pk])
        .order_by("pk")
    }
    old_offering, new_offering = locked[enrollment.offering_id], locked[offering.pk]
    enrollment = _lock_enrollment(enrollment)
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
    _withdraw_locked(
        enrollment=enrollment,
        actor=actor,
        source=source,
        now=now,
        note=f"Switched to {new_offering}",
    )
    new_enrollment = _enroll_locked(
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
        _promote_locked(offering=old_offering, actor=_cause(actor, enrollment), now=now)
    return new_enrollment


@transaction.atomic
def enrollment_complete(*, enrollment: Enrollment, actor: User, reflection: str = "") -> Enrollment:
    """Self-attested completion of a self-paced item, with an optional reflection note.

    Raises ValidationError: COMPLETE_NOT_SELF_PACED, COMPLETE_NOT_ENROLLED.
    """
    enrollment = _lock_enrollment(enrollment)
    if enrollment.offering_id is not None:
        raise ValidationError(COMPLETE_NOT_SELF_PACED)
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ValidationError(COMPLETE_NOT_ENROLLED)
    now = timezone.now()
    reflection = reflection.strip()
    _transition(
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
    enrollment = _lock_enrollment(enrollment)
    if enrollment.offering_id is None:
        raise ValidationError(ATTENDANCE_NOT_SESSION)
    if enrollment.status != Enrollment.Status.ENROLLED:
        raise ValidationError(ATTENDANCE_NOT_ENROLLED)
    now = timezone.now()
    if now < enrollment.offering.starts_at:
        raise ValidationError(ATTENDANCE_BEFORE_START)
    _transition(
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


# --- sessions (offerings) -------------------------------------------------------------------


@transaction.atomic
def offering_update(*, offering: Offering, actor: User | None, **changes) -> Offering:
    """Change a session's time, place, capacity or enrollment window.

    A change of time or place bumps the iCalendar SEQUENCE and emails everyone with a seat;
    more seats promote from the waitlist (see `offering_changes_apply`, which also handles
    saves made in the catalog admin).

    Raises ValidationError: OFFERING_FIELD_NOT_EDITABLE, CAPACITY_INVALID, and the
    Offering's own validation errors.
    """
    for field in changes:
        if field not in OFFERING_EDITABLE_FIELDS:
            raise ValidationError(OFFERING_FIELD_NOT_EDITABLE, params={"field": field})
    if "capacity" in changes and changes["capacity"] is not None and changes["capacity"] < 1:
        raise ValidationError(CAPACITY_INVALID)
    offering = _lock_offering(offering)
    for field, value in changes.items():
        setattr(offering, field, value)
    offering.full_clean()
    with acting_as(actor):
        offering.save()
    return offering


def offering_set_capacity(
    *, offering: Offering, capacity: int | None, actor: User | None
) -> Offering:
    """Set the seats (None: no limit). Raising it promotes from the waitlist, in order.

    Lowering it below the seats taken removes nobody. Raises ValidationError: CAPACITY_INVALID.
    """
    return offering_update(offering=offering, actor=actor, capacity=capacity)


@transaction.atomic
def offering_cancel(*, offering: Offering, actor: User | None) -> Offering:
    """Cancel a session: every seat and waitlist place is cancelled, and everyone told.

    Raises ValidationError: OFFERING_ALREADY_CANCELLED.
    """
    offering = _lock_offering(offering)
    if offering.status == Offering.Status.CANCELLED:
        raise ValidationError(OFFERING_ALREADY_CANCELLED)
    offering.status = Offering.Status.CANCELLED
    with acting_as(actor):
        offering.save()
    return offering


@transaction.atomic
def offering_changes_apply(
    *, offering: Offering, previous: dict | None, created: bool, actor: User | None = None
) -> None:
    """React to a saved Offering, from our services or from the catalog admin and imports.

    `previous` holds the row's values before the save (None when created). A new scheduled
    session tells the people waiting for one; a change of time or place bumps SEQUENCE and
    sends updated invites; cancellation cancels every active enrollment (each with a
    `cancelled` transcript event) and tells them; otherwise free seats are filled from the
    waitlist. Called by the Offering post_save receiver (enrollment.signals).
    """
    actor = actor or current_actor()
    if created:
        if offering.status == Offering.Status.SCHEDULED and offering.starts_at > timezone.now():
            _schedule(tasks.notify_session_opened, offering.pk)
        return
    if previous is None:
        return
    offering = _lock_offering(offering)
    now = timezone.now()
    if offering.status == Offering.Status.CANCELLED:
        if previous["status"] != Offering.Status.CANCELLED:
            _cancel_enrollments_locked(offering=offering, actor=actor, now=now)
        return
    if any(previous[field] != getattr(offering, field) for field in INVITE_FIELDS):
        Offering.objects.filter(pk=offering.pk).update(sequence=F("sequence") + 1)
        _schedule(tasks.send_offering_changed, offering.pk)
    _promote_locked(offering=offering, actor=actor, now=now)


def _cancel_enrollments_locked(*, offering: Offering, actor: User | None, now) -> None:
    active = Enrollment.objects.select_for_update(of=("self",)).filter(
        offering=offering, status__in=ACTIVE_STATUSES
    )
    for enrollment in active:
        _transition(
            enrollment,
            status=Enrollment.Status.CANCELLED,
            kind=TranscriptEvent.Kind.CANCELLED,
            source=Source.ADMIN,
            actor=actor,
            at=now,
        )
    _schedule(tasks.send_offering_cancelled, offering.pk)


# --- interest without enrollment ------------------------------------------------------------


@transaction.atomic
def saved_item_toggle(*, user: User, item: Item) -> bool:
    """Save an item for later, or unsave it. Returns whether it is now saved.

    A bookmark only: never touches the transcript. Raises ValidationError: ITEM_NOT_AVAILABLE.
    """
    deleted, _ = SavedItem.objects.filter(user=user, item=item).delete()
    if deleted:
        return False
    if not item_is_enrollable_by(user=user, item=item):
        raise ValidationError(ITEM_NOT_AVAILABLE)
    SavedItem.objects.get_or_create(user=user, item=item)
    return True


@transaction.atomic
def session_interest_register(*, user: User, item: Item) -> SessionInterest:
    """'Notify me when a session opens': one pending request per person and item.

    Never touches the transcript. Raises ValidationError: ITEM_NOT_AVAILABLE.
    """
    if not item_is_enrollable_by(user=user, item=item):
        raise ValidationError(ITEM_NOT_AVAILABLE)
    pending = SessionInterest.objects.filter(user=user, item=item, notified_at__isnull=True)
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SessionInterest.objects.create(user=user, item=item)
    except IntegrityError:
        return pending.get()


@transaction.atomic
def session_interest_cancel(*, user: User, item: Item) -> bool:
    """Drop a pending 'notify me' request. Returns whether there was one."""
    deleted, _ = SessionInterest.objects.filter(
        user=user, item=item, notified_at__isnull=True
    ).delete()
    return bool(deleted)


# --- popularity -----------------------------------------------------------------------------


def item_popularity_refresh(*, now: datetime.datetime | None = None) -> int:
    """Set every Item.popularity to its enrollments of the last 90 days, in one UPDATE.

    Withdrawn and cancelled enrollments still count: they measure interest. Returns the
    number of items whose value changed. Meant for a periodic (Celery beat) task.
    """
    since = (now or timezone.now()) - POPULARITY_WINDOW
    recent = (
        Enrollment.objects.filter(item=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    fresh = Coalesce(Subquery(recent), Value(0))
    changed = (
        Item.objects.annotate(fresh=fresh).exclude(popularity=F("fresh")).update(popularity=fresh)
    )
    if changed:
        # The catalog's "most popular" order is read from its index; a bulk UPDATE sends no
        # signal, so say so.
        catalog_changed()
    return changed
