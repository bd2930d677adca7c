"""allauth adapters: accounts come from the HR feed, and SSO logins attach to them."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from . import lockout
from .selectors import employee_linked_to_other_identity, employee_match_for_sso

SSO_NO_EMPLOYEE = (
    "We could not find you in the HR records this portal uses. "
    "If you joined recently, try again tomorrow or contact your learning team."
)
SSO_INACTIVE = "Your account is no longer active. Contact your learning team if this is a mistake."
SSO_LINKED_ELSEWHERE = (
    "Your account is already linked to another organization sign-in. "
    "Contact your learning team to have it checked."
)
SSO_CONNECT_OFF = (
    "Your organization sign-in is linked to your account automatically the first time you "
    "use it; there is nothing to connect by hand."
)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # People are imported from HR; nobody creates their own account.
        return settings.ACCOUNT_ALLOW_SIGNUPS

    def pre_authenticate(self, request, **credentials):
        # Replaces allauth's single per-account bucket, which let anyone lock the owner out
        # (people.lockout); only failures are counted.
        login = credentials.get("email", credentials.get("username", "")) or ""
        if not lockout.failed_logins_allowed(request, login):
            lockout.lockout_log(request, login)
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        login = credentials.get("email", credentials.get("username", "")) or ""
        lockout.failed_login_count(request, login)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        if request.method == "POST" and request.POST.get("password"):
            lockout.device_remember(request, response, user.email)
        return response


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        # Only reached when no imported employee matched: never create a stray account.
        return False

    def pre_social_login(self, request, sociallogin):
        """Attach a first SSO login to the employee imported from HR.

        Matched by the employee-ID claim when the provider sends one (it survives email
        changes, and an unknown ID is never matched by email instead: mailboxes are reused),
        otherwise by a *verified* email (OIDC `email_verified`, or a provider configured with
        `email_trusted`), case-insensitively, and only to an account no other identity of the
        same provider is linked to; the identity (provider = issuer, plus subject) is then
        linked to that account for good, and later logins are found by it alone. A person who
        is not in the HR feed, or is deactivated, is turned away with a reason.
        """
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Identities are linked by the HR match below, never chosen by the person.
            back = self.get_connect_redirect_url(request, sociallogin.account)
            self._refuse(request, SSO_CONNECT_OFF, to=back)
        if sociallogin.account.pk:
            # A known identity: allauth found the linked account.
            if not sociallogin.user.is_active:
                self._refuse(request, SSO_INACTIVE)
            return
        employee_id = sso_employee_id(request, sociallogin)
        employee = employee_match_for_sso(
            employee_id=employee_id,
            emails=sso_verified_emails(request, sociallogin),
        )
        if employee is None:
            self._refuse(request, SSO_NO_EMPLOYEE)
        if not employee.user.is_active:
            self._refuse(request, SSO_INACTIVE)
        if employee_id is None and employee_linked_to_other_identity(
            user=employee.user, provider=sociallogin.account.provider
        ):
            # Matched by email, but the account already belongs to another subject of this
            # issuer: the address has changed hands at the identity provider.
            self._refuse(request, SSO_LINKED_ELSEWHERE)
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


def _app_settings(request, sociallogin) -> dict:
    provider = getattr(sociallogin, "provider", None) or sociallogin.account.get_provider(request)
    app = getattr(provider, "app", None)
    return (app.settings if app else None) or {}


def sso_employee_id(request, sociallogin) -> str | None:
    """The HR employee ID the identity provider sent, if any.

    Each provider may name its own claim (settings/sso.py); the default is
    SSO_EMPLOYEE_ID_CLAIM.
    """
    claim = _app_settings(request, sociallogin).get("employee_id_claim") or (
        settings.SSO_EMPLOYEE_ID_CLAIM
    )
    return first_value(claims_of(sociallogin).get(claim))


def sso_verified_emails(request, sociallogin) -> list[str]:
    """The addresses the identity provider vouches for: those it marks verified, or all it
    sends when the provider entry says `email_trusted` (an IdP that only issues addresses the
    organization owns). Anyone can put any address in an unverified claim."""
    claims = claims_of(sociallogin)
    trusted = bool(_app_settings(request, sociallogin).get("email_trusted"))
    emails = [
        address.email
        for address in sociallogin.email_addresses
        if address.email and (trusted or address.verified)
    ]
    claimed = first_value(claims.get("email"))
    if claimed and (trusted or _is_true(claims.get("email_verified"))):
        emails.append(claimed)
    return emails


def _is_true(value) -> bool:
    value = first_value(value)
    return value is not None and value.lower() in ("true", "1", "yes")


def first_value(value):
    """SAML attributes arrive as lists; OIDC claims as scalars."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if value is None:
        return None
    return str(value).strip() or None
