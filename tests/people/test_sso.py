"""SSO with OpenID Connect: a login attaches to the imported employee, or is refused.

The tests run allauth's real login → callback flow; only the identity provider's HTTP
endpoints (discovery, token, userinfo) are faked (tests.people.helpers.FakeIdentityProvider).
"""

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from learning_portal.settings.sso import socialaccount_providers
from people.adapters import SSO_CONNECT_OFF, SSO_INACTIVE, SSO_NO_EMPLOYEE
from people.models import User
from tests.people.factories import EmployeeFactory
from tests.people.helpers import (
    ENTRA,
    FakeIdentityProvider,
    assert_linked_without_new_user,
    flash_messages,
    logged_in_user_id,
)


@pytest.mark.django_db
def test_oidc_login_links_to_the_employee_by_employee_id(oidc_login, client):
    employee = EmployeeFactory(employee_id="E100200", user__email="a.nurse@hospital.example")
    users_before = User.objects.count()

    response = oidc_login(
        {"sub": "entra-sub-1", "email": "anna.nurse@alias.example", "employee_id": "E100200"}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert_linked_without_new_user(("entra", "entra-sub-1"), employee, users_before=users_before)
    assert int(logged_in_user_id(client)) == employee.user_id


@pytest.mark.django_db
def test_employee_id_claim_in_the_id_token_only_is_used(oidc_login, client):
    # Entra ID puts optional claims such as the employee ID in the ID token, not in userinfo.
    employee = EmployeeFactory(employee_id="E300", user__email="lee@hospital.example")

    oidc_login(
        {"sub": "entra-sub-3", "email": "lee.alias@hospital.example"},
        id_token_claims={"sub": "entra-sub-3", "employee_id": "E300"},
    )

    assert SocialAccount.objects.get().user_id == employee.user_id
    assert int(logged_in_user_id(client)) == employee.user_id


@pytest.mark.django_db
def test_oidc_login_links_by_email_case_insensitively_when_no_employee_id(oidc_login, client):
    employee = EmployeeFactory(user__email="sam.porter@hospital.example")

    oidc_login(
        {"sub": "entra-sub-2", "email": "Sam.Porter@Hospital.Example", "email_verified": True}
    )

    assert SocialAccount.objects.get().user_id == employee.user_id
    assert int(logged_in_user_id(client)) == employee.user_id
    assert User.objects.filter(email__iexact="sam.porter@hospital.example").count() == 1


@pytest.mark.django_db
def test_employee_id_wins_over_an_email_that_matches_someone_else(oidc_login, client):
    right = EmployeeFactory(employee_id="E7", user__email="new.name@hospital.example")
    EmployeeFactory(employee_id="E8", user__email="old.name@hospital.example")

    oidc_login({"sub": "s-7", "email": "old.name@hospital.example", "employee_id": "E7"})

    assert SocialAccount.objects.get().user_id == right.user_id
    assert int(logged_in_user_id(client)) == right.user_id


@pytest.mark.django_db
def test_unknown_employee_id_is_not_linked_to_whoever_has_the_email(oidc_login, client):
    # A newcomer not imported yet, whose mailbox a former employee still holds in the portal.
    EmployeeFactory(employee_id="E9", user__email="j.smith@hospital.example")

    response = oidc_login(
        {"sub": "s-10", "email": "j.smith@hospital.example", "employee_id": "E10"}
    )

    assert response.url == reverse("account_login")
    assert flash_messages(response) == [SSO_NO_EMPLOYEE]
    assert not SocialAccount.objects.exists()
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_each_provider_can_name_its_own_employee_id_claim(oidc_login, client):
    employee = EmployeeFactory(employee_id="E555", user__email="x@hospital.example")

    oidc_login({"sub": "okta-1", "email": "other@alias.example", "empNo": "E555"}, "okta")

    account = SocialAccount.objects.get()
    assert (account.provider, account.user_id) == ("okta", employee.user_id)


@pytest.mark.django_db
def test_returning_sso_user_reuses_the_linked_account(oidc_login, client):
    employee = EmployeeFactory(employee_id="E42", user__email="kim@hospital.example")
    claims = {"sub": "entra-sub-42", "email": "kim@hospital.example", "employee_id": "E42"}
    oidc_login(claims)
    client.post(reverse("account_logout"))
    assert logged_in_user_id(client) is None

    oidc_login(claims)

    assert SocialAccount.objects.count() == 1
    assert int(logged_in_user_id(client)) == employee.user_id


@pytest.mark.django_db
def test_unknown_person_is_refused_and_no_account_is_created(oidc_login, client):
    EmployeeFactory(employee_id="E1", user__email="someone@hospital.example")
    users_before = User.objects.count()

    response = oidc_login({"sub": "stranger", "email": "stranger@elsewhere.example"})

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert flash_messages(response) == [SSO_NO_EMPLOYEE]
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_refusal_message_is_shown_on_the_login_page(oidc_login, client):
    response = oidc_login({"sub": "stranger", "email": "stranger@elsewhere.example"})
    page = client.get(response.url)
    assert "We could not find you in the HR records" in page.content.decode()


@pytest.mark.django_db
def test_deactivated_employee_is_refused(oidc_login, client):
    EmployeeFactory(employee_id="E9", user__email="gone@hospital.example", user__is_active=False)

    response = oidc_login({"sub": "s-9", "email": "gone@hospital.example", "employee_id": "E9"})

    assert response.url == reverse("account_login")
    assert flash_messages(response) == [SSO_INACTIVE]
    assert not SocialAccount.objects.exists()
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_linked_person_deactivated_later_is_refused(oidc_login, client):
    employee = EmployeeFactory(employee_id="E10", user__email="leaver@hospital.example")
    claims = {"sub": "s-10", "email": "leaver@hospital.example", "employee_id": "E10"}
    oidc_login(claims)
    client.post(reverse("account_logout"))
    User.objects.filter(pk=employee.user_id).update(is_active=False)

    response = oidc_login(claims)

    assert response.url == reverse("account_login")
    # Earlier sign-in/sign-out messages were never displayed, so they are still queued.
    assert flash_messages(response)[-1] == SSO_INACTIVE
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_signed_in_person_cannot_connect_an_sso_identity_by_hand(oidc_login, client):
    signed_in = EmployeeFactory(employee_id="E20", user__email="me@hospital.example")
    EmployeeFactory(employee_id="E21", user__email="colleague@hospital.example")
    client.force_login(signed_in.user)

    response = oidc_login(
        {"sub": "s-21", "email": "colleague@hospital.example", "employee_id": "E21"},
        process="connect",
    )

    assert response.url == reverse("profile")
    assert flash_messages(response)[-1] == SSO_CONNECT_OFF
    assert not SocialAccount.objects.exists()
    assert int(logged_in_user_id(client)) == signed_in.user_id


@pytest.mark.django_db
def test_callback_with_a_forged_state_fails_cleanly(client, sso_settings, monkeypatch):
    monkeypatch.setattr(requests.Session, "request", FakeIdentityProvider({"sub": "x"}))
    callback = reverse("openid_connect_callback", args=["entra"])
    response = client.get(callback, {"code": "auth-code", "state": "forged"})
    assert response.status_code == 401
    assert "Sign-in did not work" in response.content.decode()
    assert logged_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


# --- linking by email needs a verified address (issue 10 item 3) ----------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("verified", [False, "false", None])
def test_unverified_email_is_never_linked_to_the_employee_with_that_email(
    oidc_login, client, verified
):
    EmployeeFactory(user__email="chief.nurse@hospital.example")
    claims = {"sub": "attacker-sub", "email": "chief.nurse@hospital.example"}
    if verified is not None:
        claims["email_verified"] = verified

    response = oidc_login(claims)

    assert response.url == reverse("account_login")
    assert flash_messages(response) == [SSO_NO_EMPLOYEE]
    assert not SocialAccount.objects.exists()
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_email_verified_in_the_id_token_links(oidc_login, client):
    employee = EmployeeFactory(user__email="ward.clerk@hospital.example")

    oidc_login(
        {"sub": "s-77", "email": "ward.clerk@hospital.example"},
        id_token_claims={"sub": "s-77", "email_verified": True},
    )

    assert SocialAccount.objects.get().user_id == employee.user_id


@pytest.mark.django_db
def test_a_provider_configured_to_trust_its_emails_links_by_email(client, settings, oidc_login):
    entries = [{**ENTRA, "email_trusted": True}]
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(entries, [], "employee_id")
    employee = EmployeeFactory(user__email="porter@hospital.example")

    oidc_login({"sub": "s-78", "email": "porter@hospital.example"})

    assert SocialAccount.objects.get().user_id == employee.user_id


@pytest.mark.django_db
def test_email_of_an_account_linked_to_another_identity_is_not_linked_again(oidc_login, client):
    # The mailbox was handed to someone else at the identity provider (a new subject).
    employee = EmployeeFactory(user__email="shared.box@hospital.example")
    SocialAccount.objects.create(user=employee.user, provider="entra", uid="original-sub")

    response = oidc_login(
        {"sub": "new-sub", "email": "shared.box@hospital.example", "email_verified": True}
    )

    assert response.url == reverse("account_login")
    assert SocialAccount.objects.count() == 1
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_returning_user_is_found_by_issuer_and_subject_not_by_email(oidc_login, client):
    kim = EmployeeFactory(employee_id="E42", user__email="kim@hospital.example")
    EmployeeFactory(employee_id="E43", user__email="kim.new@hospital.example")
    oidc_login({"sub": "entra-sub-42", "email": "kim@hospital.example", "employee_id": "E42"})
    client.post(reverse("account_logout"))

    # Same subject, now with a colleague's address: still Kim.
    oidc_login({"sub": "entra-sub-42", "email": "kim.new@hospital.example", "email_verified": True})

    assert int(logged_in_user_id(client)) == kim.user_id
    client.post(reverse("account_logout"))
    # The same subject at another issuer is another identity, never Kim's.
    response = oidc_login({"sub": "entra-sub-42", "email": "nobody@elsewhere.example"}, "okta")
    assert response.url == reverse("account_login")
    assert logged_in_user_id(client) is None
