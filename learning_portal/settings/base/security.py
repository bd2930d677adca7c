"""Cookies, headers, the content security policy and CORS."""

from ..sso import sso_form_action_origins
from .accounts import SSO_OIDC_PROVIDERS, SSO_SAML_PROVIDERS

# ---------------------------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        # Every page refuses to be framed; the widget opens this deliberately per view.
        "frame-ancestors": ["'none'"],
        # Violations are logged by learning_portal.core.security.csp_report.
        "report-uri": ["/csp-report/"],
        "report-to": "csp",
    },
}
# The widget's JSON API answers cross-origin requests only from active placements' origins
# (checked per request by widgets.signals); nothing else on the portal is CORS-enabled.
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_URLS_REGEX = r"^/widgets/api/.*$"

# An SSO button POSTs to the portal, which redirects to the identity provider; browsers check
# that redirect against form-action, so the providers' origins are allowed there.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += sso_form_action_origins(
    SSO_OIDC_PROVIDERS, SSO_SAML_PROVIDERS
)
