"""SSO with SAML. SAML responses are signed XML from an IdP, so the test hands allauth's SAML
provider a parsed response and runs the same flow as OpenID Connect.
"""

import pytest
from allauth.core.context import request_context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage import default_storage
from django.contrib.sessions.middleware import SessionMiddleware

from people.models import User
from tests.people.factories import EmployeeFactory
from tests.people.helpers import assert_linked_without_new_user


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
    assert_linked_without_new_user(
        ("hospital", "opaque-nameid-314"), employee, users_before=users_before
    )
    assert int(request.session[SESSION_KEY]) == employee.user_id
