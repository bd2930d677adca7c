"""SSO in real Chromium: the button reaches the identity provider only where the CSP allows it."""

import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from learning_portal.settings.sso import socialaccount_providers, sso_form_action_origins
from tests.people.helpers import ENTRA


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
