"""Interest without enrollment: saved items and "notify me when a session opens".

Neither ever touches the transcript.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import Item
from people.models import User

from ..models import SavedItem, SessionInterest
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
