from people.models import User

from .kinds import OPTIONAL_KINDS
from .models import EmailPreference, SentEmail


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


def email_key_used(*, key: str) -> bool:
    """Whether the email with this once-only key has gone out."""
    return SentEmail.objects.filter(key=key).exists()
