import pytest

from notifications.kinds import OPTIONAL_KINDS, Kind
from notifications.selectors import email_allowed, email_preference_get
from tests.notifications.factories import EmailPreferenceFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_everything_is_allowed_before_any_preference_is_saved():
    user = UserFactory()

    assert all(email_allowed(user=user, kind=kind) for kind in Kind.values)
    assert email_preference_get(user=user).pk is None


@pytest.mark.parametrize(("kind", "field"), list(OPTIONAL_KINDS.items()))
def test_each_optional_kind_follows_its_switch(kind, field):
    user = UserFactory()
    EmailPreferenceFactory(user=user, **{field: False})

    assert email_allowed(user=user, kind=kind) is False
    others = [other for other, switch in OPTIONAL_KINDS.items() if switch != field]
    assert all(email_allowed(user=user, kind=other) for other in others)


@pytest.mark.parametrize("kind", [k for k in Kind.values if k not in OPTIONAL_KINDS])
def test_transactional_kinds_ignore_the_switches(kind):
    user = UserFactory()
    EmailPreferenceFactory(user=user, **dict.fromkeys(OPTIONAL_KINDS.values(), False))

    assert email_allowed(user=user, kind=kind) is True


def test_deactivated_or_addressless_accounts_get_nothing():
    inactive = UserFactory(is_active=False)
    no_address = UserFactory()
    no_address.email = ""

    assert email_allowed(user=inactive, kind=Kind.ENROLLMENT_CONFIRMATION) is False
    assert email_allowed(user=no_address, kind=Kind.ENROLLMENT_CONFIRMATION) is False
