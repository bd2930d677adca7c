"""Turns the SSO environment variables into allauth's `SOCIALACCOUNT_PROVIDERS`.

Providers are configured in settings (allauth's "APPS"), not in the database, so a deployment
adds or changes an identity provider with environment variables alone.

SSO_OIDC_PROVIDERS is a JSON list of OpenID Connect providers. Required keys: `id` (a slug,
used in the callback URL /accounts/oidc/<id>/login/callback/), `server_url` (the issuer;
/.well-known/openid-configuration is appended), `client_id`. Optional: `name` (button label),
`secret`, `scope`, `token_auth_method`, `uid_field` (default "sub"), `fetch_userinfo`,
`employee_id_claim` (default SSO_EMPLOYEE_ID_CLAIM), `email_trusted` (default false: link a
first login by email only when the provider marks it `email_verified`; true for a provider
that only issues addresses the organization owns), `auth_params`, `pkce` (default true),
`form_action_origins` (extra origins the sign-in redirect may go to; see below).
    Microsoft Entra ID: {"id": "entra", "name": "Microsoft Entra ID", "client_id": "...",
        "secret": "...", "server_url": "https://login.microsoftonline.com/<TENANT_ID>/v2.0"}
    Okta: {"id": "okta", "name": "Okta", "client_id": "...", "secret": "...",
        "server_url": "https://<ORG>.okta.com/oauth2/default"}

SSO_SAML_PROVIDERS is a JSON list of SAML 2.0 identity providers. Required keys: `id` (a
slug, used in the URLs /accounts/saml/<id>/login/, .../acs/, .../metadata/), `entity_id` (the
IdP's), and either `metadata_url` or both `sso_url` and `x509cert`. Optional: `name`,
`slo_url`, `sp_entity_id` (default: our metadata URL), `uid_attribute`, `email_attribute`,
`first_name_attribute`, `last_name_attribute`, `employee_id_attribute` (default
SSO_EMPLOYEE_ID_CLAIM), `email_trusted` (default false: SAML has no `email_verified`, so
without it or an employee-ID attribute nobody is linked by email), `want_message_signed`
(default false; assertions must be signed), `form_action_origins`.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

OIDC_REQUIRED = ("id", "server_url", "client_id")
SAML_REQUIRED = ("id", "entity_id")
OIDC_PASSTHROUGH = ("token_auth_method", "uid_field", "fetch_userinfo", "auth_params")

# Defaults cover Entra ID / AD FS claim names and the standard OIDs used by Okta, Shibboleth
# and most others. The first attribute present wins.
SAML_DEFAULT_ATTRIBUTES = {
    "uid": [
        "urn:oasis:names:tc:SAML:attribute:subject-id",
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
    ],
    "email": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "urn:oid:0.9.2342.19200300.100.1.3",
        "email",
        "mail",
    ],
    "first_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "urn:oid:2.5.4.42",
        "given_name",
    ],
    "last_name": [
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "urn:oid:2.5.4.4",
        "family_name",
    ],
}


def _entries(value, variable: str, required: tuple[str, ...]) -> list[dict]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ImproperlyConfigured(f"{variable} must be a JSON list of objects.")
    seen: set[str] = set()
    for position, entry in enumerate(value, start=1):
        missing = [key for key in required if not entry.get(key)]
        if missing:
            raise ImproperlyConfigured(f"{variable} entry {position} lacks {', '.join(missing)}.")
        if entry["id"] in seen:
            raise ImproperlyConfigured(f"{variable} lists the id {entry['id']!r} twice.")
        seen.add(entry["id"])
    return value


def _oidc_app(entry: dict, employee_id_claim: str) -> dict:
    app_settings = {
        "server_url": entry["server_url"],
        "scope": entry.get("scope", ["openid", "profile", "email"]),
        # Authorization code flow with PKCE, as the OAuth 2.0 security BCP recommends.
        "oauth_pkce_enabled": entry.get("pkce", True),
        "employee_id_claim": entry.get("employee_id_claim", employee_id_claim),
        "email_trusted": bool(entry.get("email_trusted", False)),
    }
    app_settings.update({key: entry[key] for key in OIDC_PASSTHROUGH if key in entry})
    return {
        "provider_id": entry["id"],
        "name": entry.get("name", entry["id"]),
        "client_id": entry["client_id"],
        "secret": entry.get("secret", ""),
        "settings": app_settings,
    }


def _saml_attribute(entry: dict, key: str) -> list[str]:
    configured = entry.get(f"{key}_attribute")
    if configured:
        return [configured] if isinstance(configured, str) else list(configured)
    return SAML_DEFAULT_ATTRIBUTES[key]


def _saml_app(entry: dict, employee_id_claim: str) -> dict:
    if entry.get("metadata_url"):
        idp = {"entity_id": entry["entity_id"], "metadata_url": entry["metadata_url"]}
    elif entry.get("sso_url") and entry.get("x509cert"):
        idp = {
            "entity_id": entry["entity_id"],
            "sso_url": entry["sso_url"],
            "x509cert": entry["x509cert"],
        }
        if entry.get("slo_url"):
            idp["slo_url"] = entry["slo_url"]
    else:
        raise ImproperlyConfigured(
            f"SSO_SAML_PROVIDERS entry {entry['id']!r} needs metadata_url, "
            "or both sso_url and x509cert."
        )
    app_settings: dict = {
        "attribute_mapping": {key: _saml_attribute(entry, key) for key in SAML_DEFAULT_ATTRIBUTES},
        "employee_id_claim": entry.get("employee_id_attribute", employee_id_claim),
        "email_trusted": bool(entry.get("email_trusted", False)),
        "idp": idp,
        "advanced": {
            "want_assertion_signed": True,
            "want_message_signed": entry.get("want_message_signed", False),
            # Only logins we started: an unsolicited assertion could be replayed.
            "reject_idp_initiated_sso": True,
        },
    }
    if entry.get("sp_entity_id"):
        app_settings["sp"] = {"entity_id": entry["sp_entity_id"]}
    return {
        # allauth addresses SAML apps by client_id (the slug in the SAML URLs).
        "provider_id": entry["id"],
        "client_id": entry["id"],
        "name": entry.get("name", entry["id"]),
        "settings": app_settings,
    }


def socialaccount_providers(oidc, saml, employee_id_claim: str) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for the configured OIDC and SAML providers.

    Raises ImproperlyConfigured, naming the variable and entry, when an entry is incomplete.
    """
    providers: dict = {}
    oidc_entries = _entries(oidc, "SSO_OIDC_PROVIDERS", OIDC_REQUIRED)
    saml_entries = _entries(saml, "SSO_SAML_PROVIDERS", SAML_REQUIRED)
    if oidc_entries:
        providers["openid_connect"] = {
            "APPS": [_oidc_app(entry, employee_id_claim) for entry in oidc_entries]
        }
    if saml_entries:
        providers["saml"] = {
            "APPS": [_saml_app(entry, employee_id_claim) for entry in saml_entries]
        }
    return providers


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def sso_form_action_origins(oidc, saml) -> list[str]:
    """Origins the sign-in page's forms may lead to: the identity providers.

    An SSO button POSTs to the portal, which redirects to the provider's sign-in page, and
    browsers apply CSP form-action to that redirect too. The provider signs people in on the
    host of its issuer (OIDC) or SSO/metadata URL (SAML); `form_action_origins` in an entry
    adds more when it does not. Call after socialaccount_providers() has validated the entries.
    """
    urls: list[str] = []
    for entry in _entries(oidc, "SSO_OIDC_PROVIDERS", OIDC_REQUIRED):
        urls.append(entry["server_url"])
        urls.extend(entry.get("form_action_origins", []))
    for entry in _entries(saml, "SSO_SAML_PROVIDERS", SAML_REQUIRED):
        urls.extend(entry[key] for key in ("sso_url", "metadata_url") if entry.get(key))
        urls.extend(entry.get("form_action_origins", []))
    origins: list[str] = []
    for url in urls:
        origin = _origin(url)
        if origin and origin not in origins:
            origins.append(origin)
    return origins
