"""Authentication: django-allauth, local sign-in and SSO (OIDC/SAML) from the environment."""

from ..sso import socialaccount_providers
from .core import env

# ---------------------------------------------------------------------------------------------
# Authentication (django-allauth)
# ---------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["people.backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# Wards share workstations: a session ends when the browser closes, with no "remember me".
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
# Subjects name the portal themselves (templates/account/email/), not "[example.com]".
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
SOCIALACCOUNT_ADAPTER = "portal.adapters.SocialAccountAdapter"
# Accounts come from the HR feed: nobody signs themselves up.
ACCOUNT_ALLOW_SIGNUPS = False
# allauth's rate limits are on by default and use the cache; spelled out so they are reviewed.
# Failed sign-ins are counted by people.lockout: per client IP (generous: a ward shares one
# address) and per account for devices that never signed in as it; a device that has gets
# its own per-account bucket, so an attacker cannot lock the owner out of their usual PC.
ACCOUNT_RATE_LIMITS = {
    "login": "100/m/ip",
    "login_failed": "50/5m/ip,5/15m/key",
    "login_failed_known_device": "5/15m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# The client address behind the load balancer, for the rate limits above: the number of
# proxies that append to X-Forwarded-For (1 for one load balancer), or a header the proxy
# sets to the client address (e.g. X-Real-IP). Leave both unset when clients connect directly.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default=None)
# allauth's own match-by-email is off: people.adapters attaches a first SSO login to the
# imported employee (employee ID first, then email) and refuses anyone else.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = env.bool("SSO_ONLY", default=False)
SOCIALACCOUNT_STORE_TOKENS = False

# SSO is configured from the environment without code changes; see settings/sso.py.
SSO_OIDC_PROVIDERS = env.json("SSO_OIDC_PROVIDERS", default=[])
SSO_SAML_PROVIDERS = env.json("SSO_SAML_PROVIDERS", default=[])
# The claim (OIDC) or attribute (SAML) that carries the HR employee ID, used to attach an SSO
# login to the imported employee when the email differs.
SSO_EMPLOYEE_ID_CLAIM = env("SSO_EMPLOYEE_ID_CLAIM", default="employee_id")

SOCIALACCOUNT_PROVIDERS = socialaccount_providers(
    SSO_OIDC_PROVIDERS, SSO_SAML_PROVIDERS, SSO_EMPLOYEE_ID_CLAIM
)
