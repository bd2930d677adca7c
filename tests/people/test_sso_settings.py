"""SSO configuration: the environment's entries become allauth's providers and the CSP's form
targets."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from learning_portal.settings.sso import socialaccount_providers, sso_form_action_origins
from tests.people.helpers import ENTRA, ISSUER, SAML


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
