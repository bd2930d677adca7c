"""Cross-cutting protections: response headers, session lifetime, CSP reports, error pages.

- Every response says which browser features the portal never uses (Permissions-Policy) and
  where CSP violations are reported (Reporting-Endpoints, plus report-uri in the CSP).
- A response to a signed-in person is personal: unless a view said otherwise, it is sent
  with `Cache-Control: private, no-store`, so no shared or browser cache keeps it (wards
  share PCs).
- Sessions end after SESSION_IDLE_TIMEOUT without activity and SESSION_ABSOLUTE_TIMEOUT after
  sign-in. Views marked `session_passive` (the intranet widget, shown on every intranet page
  view) are checked but never count as activity, and never write the session.
- With DEBUG on (the embedded default), Django's technical 404 and 400 pages would list every
  URL pattern or the settings; the portal's own pages are served instead.
"""

import json
import logging
import time

from allauth.core.internal.httpkit import get_client_ip
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.core.cache import cache
from django.http import HttpResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

csp_logger = logging.getLogger("learning_portal.csp")

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)
CSP_REPORT_PATH = "/csp-report/"
REPORTING_ENDPOINTS = f'csp="{CSP_REPORT_PATH}"'

SESSION_AUTH_AT = "_lp_auth_at"
SESSION_SEEN_AT = "_lp_seen_at"
# Activity is written to the session at most this often: a page view does not cost a
# session write, and the idle timeout is hours.
SESSION_TOUCH_SECONDS = 5 * 60


def session_passive(view):
    """Mark a view whose requests do not keep a session alive (they still end expired ones)."""
    view.session_passive = True
    return view


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Reporting-Endpoints", REPORTING_ENDPOINTS)
        if "Cache-Control" not in response.headers and _signed_in(request):
            response["Cache-Control"] = "private, no-store"
        return response


def _signed_in(request) -> bool:
    session = getattr(request, "session", None)
    # Read from the session, not request.user: no user is loaded just for this.
    return session is not None and session.get(SESSION_KEY) is not None


class SessionTimeoutMiddleware:
    """Idle and absolute session limits; place after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = request.session
        if session.get(SESSION_KEY) is None:
            return None
        now = int(time.time())
        started = session.get(SESSION_AUTH_AT)
        seen = session.get(SESSION_SEEN_AT)
        if started is None or seen is None:
            # A session from before these limits: they start now.
            session[SESSION_AUTH_AT] = started or now
            session[SESSION_SEEN_AT] = now
            return None
        if (
            now - seen > settings.SESSION_IDLE_TIMEOUT
            or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
        ):
            logout(request)
            return None
        passive = getattr(view_func, "session_passive", False)
        if not passive and now - seen >= SESSION_TOUCH_SECONDS:
            session[SESSION_SEEN_AT] = now
        return None


def session_limits_start(sender, request, user, **kwargs):
    """On sign-in (django.contrib.auth's user_logged_in): both limits count from now."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = int(time.time())
    session[SESSION_AUTH_AT] = now
    session[SESSION_SEEN_AT] = now


class DebugErrorPagesMiddleware:
    """With DEBUG, serve the portal's 404/400 pages instead of Django's technical ones.

    Outermost in MIDDLEWARE. Django renders its technical pages itself when DEBUG is on
    (handler404/handler400 are not consulted), and those list the URL configuration or the
    settings; they are recognisable by their DEBUG notice.
    """

    TECHNICAL_MARK = b"<code>DEBUG = True</code>"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code in (400, 404)
            and not getattr(response, "streaming", False)
            and self.TECHNICAL_MARK in response.content
        ):
            if response.status_code == 404:
                return defaults.page_not_found(request, exception=None)
            return defaults.bad_request(request, exception=None)
        return response


# -- CSP violation reports -------------------------------------------------------------------

CSP_REPORT_MAX_BYTES = 64 * 1024
CSP_REPORTS_PER_MINUTE = 60


@csrf_exempt
@require_POST
def csp_report(request):
    """Browsers POST CSP violations here (report-uri and Reporting API formats); logged.

    Anyone can post, so the body is bounded, each client address is rate-limited, and only
    the directive, the blocked origin and the page's path (no query string) are logged.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    if not _csp_report_allowed(request):
        return HttpResponse(status=429)
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    for report in _csp_reports(data)[:10]:
        csp_logger.warning(
            "CSP violation: %s blocked %s on %s",
            _text(report.get("effectiveDirective") or report.get("violated-directive")),
            _origin_only(report.get("blockedURL") or report.get("blocked-uri")),
            _path_only(report.get("documentURL") or report.get("document-uri")),
        )
    return HttpResponse(status=204)


def _csp_report_allowed(request) -> bool:
    key = f"csp-report:{get_client_ip(request)}:{int(time.time()) // 60}"
    try:
        if cache.add(key, 1, 90):
            return True
        return cache.incr(key) <= CSP_REPORTS_PER_MINUTE
    except Exception:  # noqa: BLE001 - the cache is down: accept, the body is bounded
        return True


def _csp_reports(data) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        return [data["csp-report"]]
    if isinstance(data, list):
        return [
            entry["body"]
            for entry in data
            if isinstance(entry, dict)
            and entry.get("type") == "csp-violation"
            and isinstance(entry.get("body"), dict)
        ]
    return []


def _text(value) -> str:
    return str(value or "?")[:100]


def _origin_only(value) -> str:
    value = _text(value)
    scheme, sep, rest = value.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if sep else value


def _path_only(value) -> str:
    value = _text(value)
    return value.split("?", 1)[0].split("#", 1)[0]
