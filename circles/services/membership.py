"""Joining and leaving (through the enrollment services) and interest."""

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import Item
from enrollment.models import ACTIVE_STATUSES, Enrollment, Source
from enrollment.selectors import item_is_enrollable_by
from enrollment.services import (
    ITEM_NOT_AVAILABLE,
    enrollment_create,
    enrollment_withdraw,
    pending_request_cancel,
    pending_request_register,
)
from people.models import User

from ..models import Circle, Interest, Signup
from .lifecycle import (
    FACILITATOR_CANNOT_JOIN,
    JOINABLE_STATES,
    NOT_A_MEMBER,
    NOT_JOINABLE,
    _sync_invites,
)


@transaction.atomic
def circle_join(*, user: User, circle: Circle, hope: str = "") -> Enrollment:
    """Sign up for a circle: a seat in its session, or a waitlist place when it is full.

    Goes through `enrollment_create` (source "circle"), which writes the transcript event,
    enforces the audience and the sign-up window and returns the existing place on a double
    submit. The optional answer to "what do you hope to get from it?" is kept for the
    facilitators.

    Raises ValidationError: NOT_JOINABLE, FACILITATOR_CANNOT_JOIN, and enrollment_create's
    errors (ITEM_NOT_AVAILABLE, ENROLLMENT_CLOSED, ...).
    """
    if circle.state not in JOINABLE_STATES:
        raise ValidationError(NOT_JOINABLE)
    if circle.facilitators.filter(pk=user.pk).exists():
        raise ValidationError(FACILITATOR_CANNOT_JOIN)
    enrollment = enrollment_create(
        user=user, item=circle.item, offering=circle.offering, source=Source.CIRCLE
    )
    Signup.objects.update_or_create(
        circle=circle, user=user, defaults={"hope": hope.strip()[:1000]}
    )
    _sync_invites(circle)
    return enrollment


@transaction.atomic
def circle_leave(*, user: User, circle: Circle) -> Enrollment:
    """Leave a circle (a seat or a waitlist place): the enrollment is withdrawn.

    A member may leave until the last meeting ends, also once the circle runs. Before the
    first meeting the freed seat goes to the first person waiting, once (enrollment's rules);
    the transcript records the withdrawal with source "circle", and the person's invites are
    withdrawn.

    Raises ValidationError: NOT_A_MEMBER, and enrollment_withdraw's (WITHDRAW_SERIES_OVER).
    """
    enrollment = Enrollment.objects.filter(
        user=user, offering_id=circle.offering_id, status__in=ACTIVE_STATUSES
    ).first()
    if enrollment is None:
        raise ValidationError(NOT_A_MEMBER)
    enrollment = enrollment_withdraw(enrollment=enrollment, actor=user, source=Source.CIRCLE)
    _sync_invites(circle)
    return enrollment


@transaction.atomic
def interest_register(*, user: User, subject: Item) -> Interest:
    """'Tell me about the next circle on this': one pending request. Not on the transcript.

    Raises ValidationError: ITEM_NOT_AVAILABLE (the person cannot see the subject).
    """
    if not item_is_enrollable_by(user=user, item=subject):
        raise ValidationError(ITEM_NOT_AVAILABLE)
    return pending_request_register(Interest, user=user, subject=subject)


@transaction.atomic
def interest_cancel(*, user: User, subject: Item) -> bool:
    """Drop the pending request. Returns whether there was one."""
    return pending_request_cancel(Interest, user=user, subject=subject)
