"""allauth adapters: accounts come from the HR feed, and SSO logins attach to them."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from .selectors import employee_match_for_sso

SSO_NO_EMPLOYEE = (
    "We could not find you in the HR records this portal uses. "
    "If you joined recently, try again tomorrow or contact your learning team."
)
SSO_INACTIVE = "Your account is no longer active. Contact your learning team if this is a mistake."


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are imported from HR; nobody creates their own account.
        return settings.ACCOUNT_ALLOW_SIGNUPS


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # Only reached when no imported employee matched: never create a stray account.
        return False

    def pre_social_login(self, request, sociallogin):
        """Attach a first SSO login to the employee imported from HR.

        Matched by the employee-ID claim first (it survives email changes), then by email.
        A person who is not in the HR feed, or is deactivated, is turned away with a reason.
        """
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                self._refuse(request, SSO_INACTIVE)
            return
        claims = claims_of(sociallogin)
        employee = employee_match_for_sso(
            employee_id=first_value(claims.get(settings.SSO_EMPLOYEE_ID_CLAIM)),
            emails=[address.email for address in sociallogin.email_addresses]
            + [first_value(claims.get("email")) or ""],
        )
        if employee is None:
            self._refuse(request, SSO_NO_EMPLOYEE)
        if not employee.user.is_active:
            self._refuse(request, SSO_INACTIVE)
        sociallogin.connect(request, employee.user)

    def _refuse(self, request, message):
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect("account_login"))


def claims_of(sociallogin) -> dict:
    """OIDC userinfo claims or SAML attributes, as one dict."""
    data = sociallogin.account.extra_data or {}
    if isinstance(data.get("userinfo"), dict):
        merged = dict(data.get("id_token") or {})
        merged.update(data["userinfo"])
        return merged
    return data


def first_value(value):
    """SAML attributes arrive as lists; OIDC claims as scalars."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value).strip() or None
