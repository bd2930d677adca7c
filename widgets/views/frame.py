"""The iframe fragment: who is looking, their cached fragment or a fresh render.

These are the only views that may be framed, and only by the configured intranet origins.
None of them writes an enrollment or a transcript event.
"""

import base64
import hashlib
from functools import cache as memoize
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from enrollment.models import Source
from learning_portal.core import branding
from learning_portal.core.security import session_passive

from .. import counters, fragments, selectors, services
from ..identity import WIDGET_SESSION_COOKIE, allowed_origins, claim_for, identify_claim
from ..models import Variant
from ..tokens import WIDGET_SESSION_SECONDS
from .render import frame_html

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "widgets"
REQUESTABLE_VARIANTS = (Variant.MANAGER, Variant.EMPLOYEE)
NOTICE_SUGGESTED = "Suggested to your team. It shows in their widget for four weeks."
NOTICES = {
    "suggested": NOTICE_SUGGESTED,
    "not_manager": services.NOT_A_MANAGER,
    "no_reports": services.NO_DIRECT_REPORTS,
}
NOTICE_CODES = {message: code for code, message in NOTICES.items()}
SOURCE_FOR_VARIANT = {
    Variant.MANAGER: Source.WIDGET_MANAGER,
    Variant.EMPLOYEE: Source.WIDGET_EMPLOYEE,
    Variant.GENERIC: Source.WIDGET_EMPLOYEE,
}


@memoize
def _frame_stylesheet() -> str:
    return (STATIC_DIR / "frame.css").read_text()


def frame_css() -> tuple[str, str]:
    """The widget's own stylesheet with the organisation's colours after it (core.branding,
    as /brand.css gives the portal's pages), inlined, and its CSP hash (inline styles need
    one). Inlined rather than linked: the frame loads on every intranet page view."""
    return _frame_css(branding.stylesheet())


@lru_cache(maxsize=8)
def _frame_css(brand: str) -> tuple[str, str]:
    css = _frame_stylesheet() + brand
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return css, f"'sha256-{digest}'"


def _frameable(response, *, inline_style_hash: str | None = None):
    """Let the configured intranets (and the portal's own preview) frame this response."""
    response.xframe_options_exempt = True
    policy = {"frame-ancestors": ["'self'", *allowed_origins()]}
    if inline_style_hash:
        policy["style-src"] = ["'self'", inline_style_hash]
    response._csp_replace = policy
    return response


def _frame_query(*, variant, limit, frame, notice="") -> str:
    params = {"variant": variant, "limit": limit, "frame": frame, "notice": notice}
    return urlencode({k: v for k, v in params.items() if v})


def _set_widget_session_cookie(request, response, value: str) -> None:
    """The widget session, for the frame's own later loads: widget paths only, script-proof,
    and partitioned (CHIPS) so it is only ever sent inside this intranet's page.

    Set by hand: Python's cookie module cannot write `Partitioned` before 3.14.
    """
    attributes = [
        f"{WIDGET_SESSION_COOKIE}={value}",
        "Path=/widgets/",
        f"Max-Age={WIDGET_SESSION_SECONDS}",
        "HttpOnly",
    ]
    if request.is_secure():
        attributes += ["Secure", "SameSite=None", "Partitioned"]
    else:
        attributes.append("SameSite=Lax")  # development over http: same-site only
    response["Set-Cookie"] = "; ".join(attributes)


@csrf_exempt
@session_passive
@require_http_methods(["GET", "POST"])
def suggested(request):
    """The widget fragment for the iframe.

    An embed token arrives once, on the first load (POSTed by embed.js, or `?token=` on a
    plain iframe URL), and is exchanged for a widget session (cookie and form fields) bound
    to its placement; later loads and actions carry that instead. A POST without a token is
    refused: CSRF protection is not needed because the token in the body is the credential.

    A warm request is served from the person's cached fragment without loading them from the
    database (see widgets.fragments); otherwise the viewer is checked in full, the
    suggestions are computed and the fragment is stored for the next page view.
    """
    data = request.POST if request.method == "POST" else request.GET
    token = data.get("token", "").strip() or None
    if request.method == "POST" and not token:
        return HttpResponseBadRequest("An embed token is required.")
    claim = claim_for(
        request, token, widget_session=request.COOKIES.get(WIDGET_SESSION_COOKIE) or None
    )
    return _frame_response(
        request,
        claim,
        variant=data.get("variant", ""),
        limit=data.get("limit"),
        frame=data.get("frame", ""),
        # A code, never text from the URL: anyone can link to the widget with any query.
        notice=NOTICES.get(data.get("notice", ""), ""),
    )


def _frame_response(request, claim, *, variant, limit, frame, notice):
    if variant not in REQUESTABLE_VARIANTS:
        # Only known values: each distinct one would be a cache entry of its own.
        variant = claim.placement.default_variant if claim.placement else ""
    limit = selectors.clamp_limit(limit)
    now = timezone.now()
    key = fragments.fragment_key(subject=claim.subject, variant=variant, limit=limit)
    # A notice (after an action) is one-off: neither served from nor stored in the cache.
    lookup = fragments.MISSED
    if not notice:
        lookup = fragments.fragment_lookup(key=key, claim=claim, now=now)
    fragment = lookup.fragment
    if fragment is None:
        fragment = _render_fragment(request, claim, variant=variant, limit=limit,
                                    notice=notice, now=now, lookup=lookup)  # fmt: skip
    counters.count_items(
        metric="impressions",
        item_ids=fragment.item_ids,
        variant=fragment.variant,
        department_id=fragment.department_id,
    )
    css, css_hash = frame_css()
    html = fragments.fill_slots(
        fragment.html,
        csrf=get_token(request) if claim.user_id else "",
        widget_session=claim.widget_session if fragment.user_id else None,
        frame=fragments.clean_frame_id(frame),
        css=css,
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    if claim.exchanged and fragment.user_id:
        _set_widget_session_cookie(request, response, claim.widget_session)
    return _frameable(response, inline_style_hash=css_hash)


def _render_fragment(request, claim, *, variant, limit, notice, now, lookup):
    identity = identify_claim(request, claim)
    user = identity.user
    # The lookup read the session's user's version; a token's employee is known only now.
    known = lookup if user is not None and user.pk == claim.user_id else fragments.MISSED
    version = fragments.record_version_of(user.pk if user else None, lookup=known)
    viewer = selectors.viewer_for(user=user, now=now)
    # The fragment is what is cached: the list is not stored apart.
    result = selectors.suggestions_for(
        viewer=viewer, requested_variant=variant, limit=limit, now=now,
        catalog_version=lookup.catalog_version, store=False,
    )  # fmt: skip
    html = frame_html(
        result=result,
        signed_in=not viewer.is_anonymous,
        widget_session=bool(claim.widget_session) and user is not None,
        limit=limit,
        notice=notice,
    )
    via_session = user is not None and not identity.via_token
    fragment = fragments.Fragment(
        html=html,
        variant=result.variant,
        item_ids=tuple(s.item_id for s in result.suggestions),
        department_id=result.department_id,
        catalog_version=result.catalog_version,
        user_id=user.pk if user else None,
        record_version=version,
        session_auth_hash=claim.session_auth_hash if via_session else None,
        valid_until=fragments.fragment_valid_until(now=now, result_valid_until=result.valid_until),
    )
    if not notice:
        # Stored under who was verified, not who was claimed: a refused claim never
        # leaves a personal fragment behind.
        if user is None:
            subject = "anonymous"
        elif identity.via_token:
            subject = claim.subject
        else:
            subject = f"user:{user.pk}"
        verified_key = fragments.fragment_key(subject=subject, variant=variant, limit=limit)
        fragments.fragment_set(key=verified_key, fragment=fragment)
    return fragment


def frame_after_action(request, claim, *, notice):
    """Back to the widget: for a portal session a redirect (POST, then GET); for a widget
    session the frame is rendered in the response, so its credential never enters a URL."""
    variant = request.POST.get("variant", "")
    limit = request.POST.get("limit", "")
    frame = request.POST.get("frame", "")[:40]
    if claim.widget_session:
        return _frame_response(
            request, claim, variant=variant, limit=limit, frame=frame,
            notice=NOTICES.get(notice, ""),
        )  # fmt: skip
    query = _frame_query(variant=variant, limit=limit, frame=frame, notice=notice)
    return _frameable(redirect(f"{reverse('widgets:suggested')}?{query}"))
