"""SSO: the environment builds allauth's providers; a login attaches to the imported employee.

The OIDC tests run allauth's real login → callback flow; only the identity provider's HTTP
endpoints (discovery, token, userinfo) are faked. SAML responses are signed XML from an IdP,
so the SAML test hands allauth's SAML provider a parsed response and runs the same flow.
"""

import json
import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from allauth.core.context import request_context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from learning_portal.settings.sso import socialaccount_providers, sso_form_action_origins
from people.adapters import SSO_CONNECT_OFF, SSO_INACTIVE, SSO_NO_EMPLOYEE
from people.models import User
from tests.people.factories import EmployeeFactory

ISSUER = "https://login.example-idp.org/tenant-1/v2.0"
ENTRA = {
    "id": "entra",
    "name": "Microsoft Entra ID",
    "server_url": ISSUER,
    "client_id": "portal-client",
    "secret": "portal-secret",
}
SAML = {
    "id": "hospital",
    "name": "Hospital SSO",
    "entity_id": "https://idp.hospital.example/saml",
    "sso_url": "https://idp.hospital.example/saml/sso",
    "x509cert": "MIIC-not-a-real-cert",
    "employee_id_attribute": "employeeNumber",
}


# --- the environment → allauth configuration -------------------------------------------------


def test_oidc_entry_becomes_an_allauth_openid_connect_app():
    providers = socialaccount_providers([ENTRA], [], "employee_id")
    (app,) = providers["openid_connect"]["APPS"]
    assert app["provider_id"] == "entra"
    assert app["name"] == "Microsoft Entra ID"
    assert (app["client_id"], app["secret"]) == ("portal-client", "portal-secret")
    assert app["settings"]["server_url"] == ISSUER
    assert app["settings"]["oauth_pkce_enabled"] is True
    assert app["settings"]["scope"] == ["openid", "profile", "email"]
    assert app["settings"]["employee_id_claim"] == "employee_id"
    assert "saml" not in providers


def test_oidc_entry_passes_optional_provider_settings_through():
    entry = {**ENTRA, "token_auth_method": "client_secret_basic", "employee_id_claim": "empid"}
    (app,) = socialaccount_providers([entry], [], "employee_id")["openid_connect"]["APPS"]
    assert app["settings"]["token_auth_method"] == "client_secret_basic"
    assert app["settings"]["employee_id_claim"] == "empid"


def test_saml_entry_with_certificate_becomes_an_allauth_saml_app():
    (app,) = socialaccount_providers([], [SAML], "employee_id")["saml"]["APPS"]
    # allauth finds SAML apps by client_id, the slug in /accounts/saml/<slug>/acs/.
    assert app["client_id"] == "hospital"
    assert app["settings"]["idp"] == {
        "entity_id": "https://idp.hospital.example/saml",
        "sso_url": "https://idp.hospital.example/saml/sso",
        "x509cert": "MIIC-not-a-real-cert",
    }
    assert app["settings"]["employee_id_claim"] == "employeeNumber"
    assert app["settings"]["advanced"]["want_assertion_signed"] is True
    assert app["settings"]["advanced"]["reject_idp_initiated_sso"] is True
    # Without sp_entity_id, allauth uses our metadata URL as the SP entity ID.
    assert "sp" not in app["settings"]


def test_saml_entry_with_metadata_url_needs_no_certificate():
    entry = {
        "id": "adfs",
        "entity_id": "https://adfs.example/adfs/services/trust",
        "metadata_url": "https://adfs.example/FederationMetadata.xml",
        "sp_entity_id": "https://learning.example.org/",
    }
    (app,) = socialaccount_providers([], [entry], "employee_id")["saml"]["APPS"]
    assert app["settings"]["idp"]["metadata_url"] == entry["metadata_url"]
    assert app["settings"]["sp"] == {"entity_id": "https://learning.example.org/"}


@pytest.mark.parametrize(
    ("oidc", "saml", "message"),
    [
        ([{"id": "okta", "client_id": "x"}], [], "SSO_OIDC_PROVIDERS entry 1 lacks server_url"),
        ([ENTRA, ENTRA], [], "SSO_OIDC_PROVIDERS lists the id 'entra' twice"),
        ("entra", [], "SSO_OIDC_PROVIDERS must be a JSON list of objects"),
        ([], [{"id": "adfs", "entity_id": "e"}], "needs metadata_url, or both sso_url"),
        ([], [{"entity_id": "e"}], "SSO_SAML_PROVIDERS entry 1 lacks id"),
    ],
)
def test_incomplete_sso_configuration_is_refused_with_the_reason(oidc, saml, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        socialaccount_providers(oidc, saml, "employee_id")


def test_identity_provider_origins_are_allowed_as_form_targets():
    saml_with_metadata = {
        "id": "adfs",
        "entity_id": "e",
        "metadata_url": "https://adfs.hospital.example/FederationMetadata.xml",
    }
    okta = {**ENTRA, "id": "okta", "form_action_origins": ["https://okta.example/x"]}
    origins = sso_form_action_origins([ENTRA, okta], [SAML, saml_with_metadata])
    assert origins == [
        "https://login.example-idp.org",
        "https://okta.example",
        "https://idp.hospital.example",
        "https://adfs.hospital.example",
    ]


def test_settings_allow_the_configured_providers_in_form_action():
    env = {**os.environ, "SSO_OIDC_PROVIDERS": json.dumps([ENTRA])}
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "learning_portal.settings.test"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "[\"'self'\", 'https://login.example-idp.org']"


# --- a fake OpenID Connect provider ----------------------------------------------------------


class FakeIdentityProvider:
    """Answers allauth's HTTP calls to the provider: discovery, token, userinfo."""

    def __init__(self, claims: dict, id_token_claims: dict | None = None):
        self.claims = claims
        self.id_token_claims = id_token_claims
        self.calls: list[tuple[str, str]] = []

    def token(self) -> dict:
        token = {"access_token": "access-token", "token_type": "Bearer", "expires_in": 3600}
        if self.id_token_claims is not None:
            # Fetched directly from the token endpoint over TLS, so allauth checks issuer,
            # audience and expiry but not the signature; any key will do here.
            claims = {
                "iss": ISSUER,
                "aud": ENTRA["client_id"],
                "exp": int(time.time()) + 300,
                **self.id_token_claims,
            }
            token["id_token"] = jwt.encode(
                claims, "an-hmac-key-for-tests-only-32-bytes+", algorithm="HS256"
            )
        return token

    def __call__(self, method, url, *args, **kwargs):
        self.calls.append((method, url))
        routes = {
            ("GET", f"{ISSUER}/.well-known/openid-configuration"): {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks_uri": f"{ISSUER}/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            },
            ("POST", f"{ISSUER}/token"): self.token(),
            ("GET", f"{ISSUER}/userinfo"): self.claims,
        }
        response = requests.Response()
        response.url = url
        response.headers["content-type"] = "application/json"
        if (method, url) in routes:
            response.status_code = 200
            response._content = json.dumps(routes[method, url]).encode()
        else:
            response.status_code = 404
            response._content = b"{}"
        return response


@pytest.fixture
def sso_settings(settings):
    entries = [ENTRA, {**ENTRA, "id": "okta", "name": "Okta", "employee_id_claim": "empNo"}]
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(entries, [SAML], "employee_id")
    return settings


@pytest.fixture
def oidc_login(client, sso_settings, monkeypatch):
    """Run allauth's OIDC flow for a person whose provider sends `claims`."""

    def login(claims, provider_id="entra", process="login", id_token_claims=None):
        idp = FakeIdentityProvider(claims, id_token_claims)
        monkeypatch.setattr(requests.Session, "request", idp)
        start = client.post(
            reverse("openid_connect_login", args=[provider_id]), QUERY_STRING=f"process={process}"
        )
        assert start.status_code == 302, start.content
        authorize = urlparse(start.url)
        assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{ISSUER}/authorize"
        query = parse_qs(authorize.query)
        assert query["code_challenge_method"] == ["S256"]
        callback = reverse("openid_connect_callback", args=[provider_id])
        response = client.get(callback, {"code": "auth-code", "state": query["state"][0]})
        assert ("POST", f"{ISSUER}/token") in idp.calls
        return response

    return login


def _logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _assert_linked_without_new_user(identity, employee, *, users_before):
    """The one SSO identity (provider, uid) is linked to the imported employee's account."""
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user_id) == (*identity, employee.user_id)
    assert User.objects.count() == users_before


# --- OIDC login attaches to the imported employee --------------------------------------------


@pytest.mark.django_db
def test_oidc_login_links_to_the_employee_by_employee_id(oidc_login, client):
    employee = EmployeeFactory(employee_id="E100200", user__email="a.nurse@hospital.example")
    users_before = User.objects.count()

    response = oidc_login(
        {"sub": "entra-sub-1", "email": "anna.nurse@alias.example", "employee_id": "E100200"}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    _assert_linked_without_new_user(("entra", "entra-sub-1"), employee, users_before=users_before)
    assert int(_logged_in_user_id(client)) == employee.user_id


@pytest.mark.django_db
def test_employee_id_claim_in_the_id_token_only_is_used(oidc_login, client):
    # Entra ID puts optional claims such as the employee ID in the ID token, not in userinfo.
    employee = EmployeeFactory(employee_id="E300", user__email="lee@hospital.example")

    oidc_login(
        {"sub": "entra-sub-3", "email": "lee.alias@hospital.example"},
        id_token_claims={"sub": "entra-sub-3", "employee_id": "E300"},
    )

    assert SocialAccount.objects.get().user_id == employee.user_id
    assert int(_logged_in_user_id(client)) == employee.user_id


@pytest.mark.django_db
def test_oidc_login_links_by_email_case_insensitively_when_no_employee_id(oidc_login, client):
    employee = EmployeeFactory(user__email="sam.porter@hospital.example")

    oidc_login({"sub": "entra-sub-2", "email": "Sam.Porter@Hospital.Example"})

    assert SocialAccount.objects.get().user_id == employee.user_id
    assert int(_logged_in_user_id(client)) == employee.user_id
    assert User.objects.filter(email__iexact="sam.porter@hospital.example").count() == 1


@pytest.mark.django_db
def test_employee_id_wins_over_an_email_that_matches_someone_else(oidc_login, client):
    right = EmployeeFactory(employee_id="E7", user__email="new.name@hospital.example")
    EmployeeFactory(employee_id="E8", user__email="old.name@hospital.example")

    oidc_login({"sub": "s-7", "email": "old.name@hospital.example", "employee_id": "E7"})

    assert SocialAccount.objects.get().user_id == right.user_id
    assert int(_logged_in_user_id(client)) == right.user_id


@pytest.mark.django_db
def test_unknown_employee_id_is_not_linked_to_whoever_has_the_email(oidc_login, client):
    # A newcomer not imported yet, whose mailbox a former employee still holds in the portal.
    EmployeeFactory(employee_id="E9", user__email="j.smith@hospital.example")

    response = oidc_login(
        {"sub": "s-10", "email": "j.smith@hospital.example", "employee_id": "E10"}
    )

    assert response.url == reverse("account_login")
    assert _messages(response) == [SSO_NO_EMPLOYEE]
    assert not SocialAccount.objects.exists()
    assert _logged_in_user_id(client) is None


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
    assert _logged_in_user_id(client) is None

    oidc_login(claims)

    assert SocialAccount.objects.count() == 1
    assert int(_logged_in_user_id(client)) == employee.user_id


@pytest.mark.django_db
def test_unknown_person_is_refused_and_no_account_is_created(oidc_login, client):
    EmployeeFactory(employee_id="E1", user__email="someone@hospital.example")
    users_before = User.objects.count()

    response = oidc_login({"sub": "stranger", "email": "stranger@elsewhere.example"})

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert _messages(response) == [SSO_NO_EMPLOYEE]
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert _logged_in_user_id(client) is None


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
    assert _messages(response) == [SSO_INACTIVE]
    assert not SocialAccount.objects.exists()
    assert _logged_in_user_id(client) is None


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
    assert _messages(response)[-1] == SSO_INACTIVE
    assert _logged_in_user_id(client) is None


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
    assert _messages(response)[-1] == SSO_CONNECT_OFF
    assert not SocialAccount.objects.exists()
    assert int(_logged_in_user_id(client)) == signed_in.user_id


@pytest.mark.django_db
def test_callback_with_a_forged_state_fails_cleanly(client, sso_settings, monkeypatch):
    monkeypatch.setattr(requests.Session, "request", FakeIdentityProvider({"sub": "x"}))
    callback = reverse("openid_connect_callback", args=["entra"])
    response = client.get(callback, {"code": "auth-code", "state": "forged"})
    assert response.status_code == 401
    assert "Sign-in did not work" in response.content.decode()
    assert _logged_in_user_id(client) is None
    assert not SocialAccount.objects.exists()


# --- SAML ------------------------------------------------------------------------------------


class ParsedSamlResponse:
    """What python3-saml hands allauth once the IdP's signed response has been verified."""

    def __init__(self, nameid: str, attributes: dict[str, list[str]]):
        self.nameid = nameid
        self.attributes = attributes

    def get_attributes(self):
        return self.attributes

    def get_nameid(self):
        return self.nameid

    def get_nameid_format(self):
        return "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


def _request(rf, path):
    request = rf.post(path)
    SessionMiddleware(lambda r: None).process_request(request)
    request.session.save()
    request.user = AnonymousUser()
    request._messages = default_storage(request)
    return request


@pytest.mark.django_db
def test_saml_login_links_to_the_employee_by_the_configured_attribute(rf, sso_settings):
    employee = EmployeeFactory(employee_id="N-314", user__email="rita@hospital.example")
    request = _request(rf, "/accounts/saml/hospital/acs/finish/")
    users_before = User.objects.count()

    with request_context(request):
        provider = get_adapter().get_provider(request, "hospital")
        sociallogin = provider.sociallogin_from_response(
            request,
            ParsedSamlResponse(
                "opaque-nameid-314",
                {
                    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": [
                        "r.smith@alias.example"
                    ],
                    "employeeNumber": ["N-314"],
                },
            ),
        )
        response = complete_social_login(request, sociallogin)

    assert response.status_code == 302
    _assert_linked_without_new_user(
        ("hospital", "opaque-nameid-314"), employee, users_before=users_before
    )
    assert int(request.session[SESSION_KEY]) == employee.user_id


# --- in a real browser -----------------------------------------------------------------------


def _browser_idp(live_server, settings, monkeypatch, *, allow_in_form_action):
    """An "identity provider" on another origin (127.0.0.1 vs localhost) of the live server."""
    port = live_server.url.rsplit(":", 1)[1]
    idp = f"http://127.0.0.1:{port}"
    entry = {**ENTRA, "server_url": f"{idp}/idp"}
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers([entry], [], "employee_id")
    origins = sso_form_action_origins([entry], []) if allow_in_form_action else []
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "form-action": ["'self'", *origins],
        }
    }

    def discovery(method, url, *args, **kwargs):
        response = requests.Response()
        response.status_code = 200
        response.headers["content-type"] = "application/json"
        response._content = json.dumps(
            {
                "issuer": f"{idp}/idp",
                # Stands in for the provider's sign-in page: any page on the other origin.
                "authorization_endpoint": f"{idp}/healthz",
                "token_endpoint": f"{idp}/token",
                "userinfo_endpoint": f"{idp}/userinfo",
                "jwks_uri": f"{idp}/keys",
            }
        ).encode()
        return response

    monkeypatch.setattr(requests.Session, "request", discovery)
    return idp


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sso_button_takes_the_browser_to_the_identity_provider(
    browser_page, live_server, settings, monkeypatch
):
    idp = _browser_idp(live_server, settings, monkeypatch, allow_in_form_action=True)
    browser_page.goto("/accounts/login/")
    browser_page.get_by_role("button", name="Sign in with Microsoft Entra ID").click()
    browser_page.wait_for_url(f"{idp}/healthz?**")
    query = parse_qs(urlparse(browser_page.url).query)
    assert query["client_id"] == ["portal-client"]
    assert query["code_challenge_method"] == ["S256"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_blocks_the_sso_redirect_when_form_action_omits_the_provider(
    browser_page, live_server, settings, monkeypatch
):
    # Why the providers' origins are in form-action: without them Chromium stops here.
    _browser_idp(live_server, settings, monkeypatch, allow_in_form_action=False)
    console = []
    browser_page.on("console", lambda message: console.append(message.text))
    browser_page.goto("/accounts/login/")
    browser_page.get_by_role("button", name="Sign in with Microsoft Entra ID").click()
    browser_page.wait_for_timeout(1000)
    assert urlparse(browser_page.url).path == "/accounts/login/"
    assert any("form-action" in text for text in console)
