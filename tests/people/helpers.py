"""Shared helpers of the people tests: HR feeds to import, and a fake OpenID Connect provider
with what an SSO test asks of a response."""

import json
import time

import jwt
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages

from people.models import Employee, User
from people.services import people_import
from tests.people.factories import EmployeeFactory

HEADER = (
    "employee_id,email,first_name,last_name,department,role,job_title,is_manager,"
    "manager_employee_id"
)


def feed(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def run(data: bytes, **options):
    return people_import(file=data, **options)


def snapshot():
    return sorted(
        Employee.objects.values_list(
            "employee_id",
            "user__email",
            "user__first_name",
            "user__is_active",
            "department__name",
            "job_title",
            "is_manager",
            "manager__employee_id",
        )
    )


def staff_of(count: int) -> list[Employee]:
    return [
        EmployeeFactory(employee_id=f"S{n}", user__email=f"s{n}@example.org") for n in range(count)
    ]


def rows_for(employees: list[Employee]) -> list[str]:
    return [f"{e.employee_id},{e.user.email},{e.user.first_name},X,,,,," for e in employees]


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


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def flash_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_linked_without_new_user(identity, employee, *, users_before):
    """The one SSO identity (provider, uid) is linked to the imported employee's account."""
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user_id) == (*identity, employee.user_id)
    assert User.objects.count() == users_before
