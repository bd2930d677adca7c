"""Changes to sessions (offerings) and what they do to the people in them."""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from catalog.models import Offering
from people.models import User

from .. import tasks
from ..models import ACTIVE_STATUSES, Enrollment, Source, TranscriptEvent
from .locking import lock_offering
from .messages import CAPACITY_INVALID, OFFERING_ALREADY_CANCELLED, OFFERING_FIELD_NOT_EDITABLE
from .seats import promote_locked
from .transcript import schedule, transition

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
    offering = lock_offering(offering)
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
    offering = lock_offering(offering)
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
        if offering.status == Offering.Status.SCHEDULED and not offering.has_started():
            schedule(tasks.notify_session_opened, offering.pk)
        return
    if previous is None:
        return
    offering = lock_offering(offering)
    now = timezone.now()
    if offering.status == Offering.Status.CANCELLED:
        if previous["status"] != Offering.Status.CANCELLED:
            _cancel_enrollments_locked(offering=offering, actor=actor, now=now)
        return
    if any(previous[field] != getattr(offering, field) for field in INVITE_FIELDS):
        Offering.objects.filter(pk=offering.pk).update(sequence=F("sequence") + 1)
        schedule(tasks.send_offering_changed, offering.pk)
    promote_locked(offering=offering, actor=actor, now=now)


def _cancel_enrollments_locked(*, offering: Offering, actor: User | None, now) -> None:
    active = Enrollment.objects.select_for_update(of=("self",)).filter(
        offering=offering, status__in=ACTIVE_STATUSES
    )
    for enrollment in active:
        transition(
            enrollment,
            status=Enrollment.Status.CANCELLED,
            kind=TranscriptEvent.Kind.CANCELLED,
            source=Source.ADMIN,
            actor=actor,
            at=now,
        )
    schedule(tasks.send_offering_cancelled, offering.pk)


@transaction.atomic
def offering_invites_revise(*, offering: Offering) -> Offering:
    """Bump the session's iCalendar SEQUENCE without changing its span or place.

    For a meeting series (a learning circle) whose single meetings moved or were cancelled:
    the series' invites (one event per person, `enrollment.calendar.invite_uid`) must
    outrank the ones already in calendars. Raises nothing.
    """
    Offering.objects.filter(pk=offering.pk).update(sequence=F("sequence") + 1)
    offering.refresh_from_db(fields=["sequence"])
    return offering
