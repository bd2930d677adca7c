"""Interest without enrollment: saved items and "notify me when a session opens".

Neither ever touches the transcript.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Item, Offering
from notifications.kinds import Kind
from notifications.selectors import email_allowed
from notifications.services import outbox_schedule
from people.models import User

from ..models import PendingRequest, SavedItem, SessionInterest
from ..selectors import item_is_enrollable_by
from .messages import ITEM_NOT_AVAILABLE


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


def pending_request_register(model: type[PendingRequest], **lookup) -> PendingRequest:
    """The one pending "notify me" request of `model` for `lookup`, made if there is none.

    Safe under parallel requests: the model's partial unique constraint lets one insert
    through, and the loser reads the winner's row. Run inside the caller's transaction.
    """
    pending = model.objects.filter(notified_at__isnull=True, **lookup)
    existing = pending.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return model.objects.create(**lookup)
    except IntegrityError:
        return pending.get()


def pending_request_cancel(model: type[PendingRequest], **lookup) -> bool:
    """Drop the pending request of `model` for `lookup`. Returns whether there was one."""
    deleted, _ = model.objects.filter(notified_at__isnull=True, **lookup).delete()
    return bool(deleted)


@transaction.atomic
def session_interest_register(*, user: User, item: Item) -> SessionInterest:
    """'Notify me when a session opens': one pending request per person and item.

    Never touches the transcript. Raises ValidationError: ITEM_NOT_AVAILABLE.
    """
    if not item_is_enrollable_by(user=user, item=item):
        raise ValidationError(ITEM_NOT_AVAILABLE)
    return pending_request_register(SessionInterest, user=user, item=item)


@transaction.atomic
def session_interest_cancel(*, user: User, item: Item) -> bool:
    """Drop a pending 'notify me' request. Returns whether there was one."""
    return pending_request_cancel(SessionInterest, user=user, item=item)


def session_interest_notify_opened(*, offering: Offering) -> int:
    """Tell each person waiting for a session of the offering's item that one opened, once.

    Each request is marked fulfilled (`notified_at`) in the transaction that records its
    email in the outbox (`tasks.send_session_opened`), one short transaction per person,
    each the outermost, with no email sent inside it: a worker killed mid-fan-out leaves
    every request either pending (told on the retry) or fulfilled with its email queued
    exactly once, and the email task is keyed, so a task delivered twice sends one email.
    People who can no longer see the item, or who switched these emails off, are left
    pending and not told. Returns how many emails were queued.
    """
    from .. import tasks

    pending = SessionInterest.objects.filter(
        item_id=offering.item_id, notified_at__isnull=True
    ).select_related("user")
    queued = 0
    for interest in pending.iterator():
        user = interest.user
        if not email_allowed(user=user, kind=Kind.SESSION_OPENED):
            continue
        if not item_is_enrollable_by(user=user, item=offering.item):
            continue
        with transaction.atomic(durable=True):
            # Locked so a concurrent run waits, then sees it fulfilled.
            locked = (
                SessionInterest.objects.select_for_update()
                .filter(pk=interest.pk, notified_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            locked.notified_at = timezone.now()
            locked.save(update_fields=["notified_at"])
            outbox_schedule(task=tasks.send_session_opened, args=[locked.pk, offering.pk])
            queued += 1
    return queued
