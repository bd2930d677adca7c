"""Turns the SSO environment variables into allauth's provider configuration.

SSO_OIDC_PROVIDERS is a JSON list; each entry:
    {"id": "entra", "name": "Microsoft Entra ID", "server_url": "https://login.microsoftonline.com/TENANT/v2.0",
     "client_id": "...", "secret": "..."}
SSO_SAML_PROVIDERS is a JSON list; each entry:
    {"id": "adfs", "name": "Hospital SSO", "entity_id": "https://idp.example.org/...",
     "metadata_url": "https://idp.example.org/metadata.xml", "sp_entity_id": "https://portal.example.org/"}
"""


def socialaccount_providers(oidc: list[dict], saml: list[dict], employee_id_claim: str) -> dict:
    providers: dict = {}
    if oidc:
        providers["openid_connect"] = {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": entry["id"],
                    "name": entry.get("name", entry["id"]),
                    "client_id": entry["client_id"],
                    "secret": entry.get("secret", ""),
                    "settings": {
                        "server_url": entry["server_url"],
                        "scope": entry.get("scope", ["openid", "profile", "email"]),
                    },
                }
                for entry in oidc
            ],
        }
    if saml:
        providers["saml"] = {
            "APPS": [
                {
                    "provider_id": entry["id"],
                    "name": entry.get("name", entry["id"]),
                    "client_id": entry["id"],
                    "settings": {
                        "attribute_mapping": {
                            "uid": entry.get(
                                "uid_attribute",
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
                            ),
                            "email": entry.get(
                                "email_attribute",
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                            ),
                            "first_name": entry.get(
                                "first_name_attribute",
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
                            ),
                            "last_name": entry.get(
                                "last_name_attribute",
                                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
                            ),
                            employee_id_claim: entry.get(
                                "employee_id_attribute", employee_id_claim
                            ),
                        },
                        "idp": {
                            "entity_id": entry["entity_id"],
                            **(
                                {"metadata_url": entry["metadata_url"]}
                                if entry.get("metadata_url")
                                else {
                                    "sso_url": entry["sso_url"],
                                    "x509cert": entry["x509cert"],
                                }
                            ),
                        },
                        "sp": {"entity_id": entry.get("sp_entity_id", entry["id"])},
                        "advanced": {
                            "want_assertion_signed": True,
                            "want_message_signed": False,
                            "reject_idp_initiated_sso": True,
                        },
                    },
                }
                for entry in saml
            ],
        }
    return providers
