"""Fixtures of the SSO tests: the configured providers, and a login through the fake provider."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.urls import reverse

from learning_portal.settings.sso import socialaccount_providers
from tests.people.helpers import ENTRA, ISSUER, SAML, FakeIdentityProvider


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
