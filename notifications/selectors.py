import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from people.models import User

from .kinds import OPTIONAL_KINDS
from .models import EmailPreference, OutboxMessage, SentEmail


def email_preference_get(*, user: User) -> EmailPreference:
    """The person's preferences; an unsaved all-on instance when they never changed them."""
    preference = EmailPreference.objects.filter(user=user).first()
    return preference or EmailPreference(user=user)


def email_allowed(*, user: User, kind: str) -> bool:
    """Whether this person should get an email of this kind at all.

    Deactivated accounts and accounts without an address get nothing. Transactional kinds
    always go; optional kinds go unless the person switched them off.
    """
    if not user.is_active or not user.email:
        return False
    field = OPTIONAL_KINDS.get(kind)
    if field is None:
        return True
    return getattr(email_preference_get(user=user), field)


# A claimed email older than this with no confirmation of sending has an unknown fate: no
# task still runs for it (the task time limit is far shorter; see settings).
UNKNOWN_AFTER = datetime.timedelta(minutes=10)


def fate_unknown_q(*, now: datetime.datetime | None = None) -> Q:
    """Claimed more than UNKNOWN_AFTER ago and never confirmed sent: a worker died mid-send."""
    now = now or timezone.now()
    return Q(status=SentEmail.Status.SENDING, claimed_at__lt=now - UNKNOWN_AFTER)


def email_list_fate_unknown(*, now: datetime.datetime | None = None) -> QuerySet[SentEmail]:
    """Emails whose fate is unknown (`fate_unknown_q`), oldest first.

    The mail server may or may not have taken each one; the admin lists them for a resend.
    """
    return (
        SentEmail.objects.filter(fate_unknown_q(now=now))
        .select_related("user")
        .order_by("claimed_at", "pk")
    )


def outbox_list_pending() -> QuerySet[OutboxMessage]:
    """Outbox rows not yet published to the broker, oldest first."""
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).order_by("created_at", "pk")


def email_key_used(*, key: str) -> bool:
    """Whether the email with this once-only key was claimed: sent, or its fate unknown."""
    return SentEmail.objects.filter(key=key).exists()
