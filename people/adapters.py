"""allauth adapters: accounts come from the HR feed, and SSO logins attach to them."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from .selectors import employee_match_for_sso

SSO_NO_EMPLOYEE = (
    "We could not find you in the HR records this portal uses. "
    "If you joined recently, try again tomorrow or contact your learning team."
)
SSO_INACTIVE = "Your account is no longer active. Contact your learning team if this is a mistake."
SSO_CONNECT_OFF = (
    "Your organization sign-in is linked to your account automatically the first time you "
    "use it; there is nothing to connect by hand."
)


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

        Matched by the employee-ID claim when the provider sends one (it survives email
        changes, and an unknown ID is never matched by email instead: mailboxes are reused),
        otherwise by email, case-insensitively; the identity is then linked to that account
        for good. A person who is not in the HR feed, or is deactivated, is turned away with a
        reason.
        """
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Identities are linked by the HR match below, never chosen by the person.
            self._refuse(request, SSO_CONNECT_OFF, to="profile")
        if sociallogin.account.pk:
            # A known identity: allauth found the linked account.
            if not sociallogin.user.is_active:
                self._refuse(request, SSO_INACTIVE)
            return
        employee = employee_match_for_sso(
            employee_id=sso_employee_id(request, sociallogin),
            emails=sso_emails(sociallogin),
        )
        if employee is None:
            self._refuse(request, SSO_NO_EMPLOYEE)
        if not employee.user.is_active:
            self._refuse(request, SSO_INACTIVE)
        sociallogin.connect(request, employee.user)

    def _refuse(self, request, message, to="account_login"):
        messages.error(request, message)
        raise ImmediateHttpResponse(redirect(to))


def claims_of(sociallogin) -> dict:
    """OIDC ID-token and userinfo claims, or SAML attributes, as one dict."""
    data = sociallogin.account.extra_data or {}
    if isinstance(data.get("userinfo"), dict) or isinstance(data.get("id_token"), dict):
        merged = dict(data.get("id_token") or {})
        merged.update(data.get("userinfo") or {})
        return merged
    return data


def sso_employee_id(request, sociallogin) -> str | None:
    """The HR employee ID the identity provider sent, if any.

    Each provider may name its own claim (settings/sso.py); the default is
    SSO_EMPLOYEE_ID_CLAIM.
    """
    provider = getattr(sociallogin, "provider", None) or sociallogin.account.get_provider(request)
    app = getattr(provider, "app", None)
    claim = (app.settings.get("employee_id_claim") if app else None) or (
        settings.SSO_EMPLOYEE_ID_CLAIM
    )
    return first_value(claims_of(sociallogin).get(claim))


def sso_emails(sociallogin) -> list[str]:
    emails = [address.email for address in sociallogin.email_addresses]
    claimed = first_value(claims_of(sociallogin).get("email"))
    if claimed:
        emails.append(claimed)
    return [email for email in emails if email]


def first_value(value):
    """SAML attributes arrive as lists; OIDC claims as scalars."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value).strip() or None
