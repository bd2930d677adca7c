"""The widget's endpoints: the iframe fragment, click-through, dismiss, suggest to team, JSON.

These are the only views that may be framed, and only by the configured intranet origins.
None of them writes an enrollment or a transcript event.
"""

import base64
import hashlib
from functools import cache as memoize
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.selectors import item_list_visible_to
from circles.selectors import circle_for_item
from enrollment.models import Source
from learning_portal.core.privacy import MIN_COUNTED_GROUP_SIZE, MIN_GROUP_SIZE
from learning_portal.core.security import session_passive

from . import counters, fragments, selectors, services
from .identity import WIDGET_SESSION_COOKIE, allowed_origins, claim_for, identify, identify_claim
from .models import Placement, Variant
from .tokens import DEFAULT_TTL_SECONDS, WIDGET_SESSION_SECONDS, token_mint

STATIC_DIR = Path(__file__).resolve().parent / "static" / "widgets"
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
def frame_css() -> tuple[str, str]:
    """The widget's own stylesheet, inlined, and its CSP hash (inline styles need one)."""
    css = (STATIC_DIR / "frame.css").read_text()
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
    key = fragments.fragment_key(now=now, subject=claim.subject, variant=variant, limit=limit)
    # A notice (after an action) is one-off: neither served from nor stored in the cache.
    fragment = None if notice else fragments.fragment_get(key=key, claim=claim, now=now)
    if fragment is None:
        fragment = _render_fragment(request, claim, variant=variant, limit=limit,
                                    notice=notice, now=now)  # fmt: skip
    result = fragment.result
    counters.count_items(
        metric="impressions",
        item_ids=[s.item_id for s in result.suggestions],
        variant=result.variant,
        department_id=result.department_id,
    )
    html = fragments.fill_slots(
        fragment.html,
        csrf=get_token(request) if claim.user_id else "",
        widget_session=claim.widget_session if fragment.user_id else None,
        frame=fragments.clean_frame_id(frame),
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "private, no-store"
    if claim.exchanged and fragment.user_id:
        _set_widget_session_cookie(request, response, claim.widget_session)
    return _frameable(response, inline_style_hash=frame_css()[1])


def _render_fragment(request, claim, *, variant, limit, notice, now):
    identity = identify_claim(request, claim)
    user = identity.user
    version = fragments.record_version_of(user.pk if user else None)
    viewer = selectors.viewer_for(user=user, now=now)
    result = selectors.suggestions_for(
        viewer=viewer, requested_variant=variant, limit=limit, now=now
    )
    html = render_to_string(
        "widgets/frame.html",
        {
            "result": result,
            "viewer": viewer,
            "css": frame_css()[0],
            "widget_session": bool(claim.widget_session) and user is not None,
            "limit": limit,
            "notice": notice,
            "slots": fragments.SLOTS,
            "login_url": f"{settings.PORTAL_BASE_URL}{reverse('account_login')}?next=/",
        },
        request=request,
    )
    via_session = user is not None and not identity.via_token
    fragment = fragments.Fragment(
        html=html,
        result=result,
        user_id=user.pk if user else None,
        record_version=version,
        session_auth_hash=claim.session_auth_hash if via_session else None,
        valid_until=result.valid_until,
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
        verified_key = fragments.fragment_key(
            now=now, subject=subject, variant=variant, limit=limit
        )
        fragments.fragment_set(key=verified_key, fragment=fragment)
    return fragment


@session_passive
@require_GET
def go(request, item_id: int):
    """Click-through: count the click, then open the item page with the widget as its source.

    A top-level navigation: it carries no widget credential (the item page itself decides
    what the person may see once they are signed in to the portal).
    """
    identity = identify(request)
    user = identity.user or request.user
    item = get_object_or_404(item_list_visible_to(user=user).only("slug"), pk=item_id)
    variant = request.GET.get("variant", Variant.EMPLOYEE)
    if variant not in Variant.values:
        variant = Variant.EMPLOYEE
    department_id = getattr(getattr(identity.user, "employee", None), "department_id", None)
    counters.count_items(
        metric="clicks", item_ids=[item.pk], variant=variant, department_id=department_id
    )
    source = SOURCE_FOR_VARIANT[variant]
    # A learning circle's catalog entry opens the circle's page, where people join it.
    circle = circle_for_item(item=item)
    target = circle.get_absolute_url() if circle else item.get_absolute_url()
    return redirect(f"{target}?{urlencode({'source': source})}")


def _dismiss(request, item_id: int, widget_session: str | None):
    claim = claim_for(request, widget_session=widget_session)
    identity = identify_claim(request, claim)
    if identity.user is None:
        raise PermissionDenied("Sign in to hide suggestions.")
    item = get_object_or_404(item_list_visible_to(user=identity.user), pk=item_id)
    services.dismissal_create(user=identity.user, item=item)
    variant = request.POST.get("variant", Variant.EMPLOYEE)
    counters.count_items(
        metric="dismissals",
        item_ids=[item.pk],
        variant=variant if variant in Variant.values else Variant.EMPLOYEE,
        department_id=getattr(getattr(identity.user, "employee", None), "department_id", None),
    )
    return _frame_after_action(request, claim, notice="")


@require_POST
def dismiss(request, item_id: int):
    """Session-authenticated dismiss (same-site intranets), CSRF-protected."""
    return _dismiss(request, item_id, widget_session=None)


@csrf_exempt
@require_POST
def dismiss_with_token(request, item_id: int):
    """Dismiss for cross-site intranets, with the widget session posted in the form.

    CSRF protection guards ambient credentials (cookies); this view ignores the session and
    acts only on the signed, short-lived widget session posted with the form.
    """
    widget_session = request.POST.get("widget_session", "").strip()
    if not widget_session:
        return HttpResponse("A widget session is required.", status=400)
    return _dismiss(request, item_id, widget_session=widget_session)


def _suggest(request, item_id: int, claim):
    identity = identify_claim(request, claim)
    employee = getattr(identity.user, "employee", None) if identity.user else None
    if employee is None:
        raise PermissionDenied("Sign in to suggest learning to your team.")
    item = get_object_or_404(item_list_visible_to(user=identity.user), pk=item_id)
    try:
        services.team_suggestion_create(manager=employee, item=item)
    except ValidationError as exc:
        return exc.messages[0], False
    return f"Suggested “{item.title}” to your team.", True


def _notice_code(message: str, ok: bool) -> str:
    return "suggested" if ok else NOTICE_CODES.get(message, "")


@require_POST
def suggest_to_team(request, item_id: int):
    message, ok = _suggest(request, item_id, claim_for(request))
    if request.POST.get("from") == "portal":
        # From the item page: back there with a message (never to another site).
        (messages.success if ok else messages.error)(request, message)
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("widgets:team")
        return redirect(next_url)
    return _frame_after_action(request, claim_for(request), notice=_notice_code(message, ok))


@csrf_exempt
@require_POST
def suggest_to_team_with_token(request, item_id: int):
    widget_session = request.POST.get("widget_session", "").strip()
    if not widget_session:
        return HttpResponse("A widget session is required.", status=400)
    claim = claim_for(request, widget_session=widget_session)
    message, ok = _suggest(request, item_id, claim)
    return _frame_after_action(request, claim, notice=_notice_code(message, ok))


def _frame_after_action(request, claim, *, notice):
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


@session_passive
@require_GET
def api_suggestions(request):
    """The same suggestions as JSON, for intranets that render natively (CORS: placements only).

    The embed token comes in the `Authorization: Bearer …` header, never the URL, from the
    placement's origin (browsers send it; a server calling us sends it too).
    """
    if "token" in request.GET:
        counters.count_token_rejection("token_in_url")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    identity = identify(request, token or None)
    viewer = selectors.viewer_for(user=identity.user)
    limit = selectors.clamp_limit(request.GET.get("limit"))
    result = selectors.suggestions_for(
        viewer=viewer, requested_variant=request.GET.get("variant"), limit=limit
    )
    counters.count_items(
        metric="impressions",
        item_ids=[s.item_id for s in result.suggestions],
        variant=result.variant,
        department_id=result.department_id,
    )
    base = settings.PORTAL_BASE_URL
    go_query = {"variant": result.variant}
    payload = {
        "variant": result.variant,
        "signed_in": not viewer.is_anonymous,
        "token_rejected": identity.rejected,
        "theme": {"title": result.theme_title, "url": f"{base}{result.theme_url}"}
        if result.theme_title
        else None,
        "suggestions": [
            {
                "id": s.item_id,
                "title": s.title,
                "format": s.format,
                "format_label": s.format_label,
                "duration": s.duration,
                "summary": s.summary,
                "reason": s.reason,
                "next_session": s.next_session.isoformat() if s.next_session else None,
                "url": f"{base}{reverse('widgets:go', args=[s.item_id])}?{urlencode(go_query)}",
            }
            for s in result.suggestions
        ],
        "catalog_url": f"{base}{reverse('catalog:list')}",
    }
    response = JsonResponse(payload)
    response["Cache-Control"] = "private, no-store"
    return response


@session_passive
@require_GET
def embed_js(request):
    response = FileResponse(
        open(STATIC_DIR / "embed.js", "rb"),  # noqa: SIM115 - FileResponse closes it
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@session_passive
@require_GET
def frame_js(request):
    response = FileResponse(
        open(STATIC_DIR / "frame.js", "rb"),  # noqa: SIM115
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
def team(request):
    """A manager's suggestions to their team, with uptake as a count (teams of ≥ 5 only)."""
    employee = getattr(request.user, "employee", None)
    if employee is None or not employee.is_manager:
        raise Http404("This page is for people leaders.")
    if request.method == "POST":
        suggestion_id = request.POST.get("suggestion", "")
        if not suggestion_id.isdigit():
            return HttpResponseBadRequest("Choose a suggestion to withdraw.")
        services.team_suggestion_withdraw(manager=employee, suggestion_id=int(suggestion_id))
        messages.success(request, "The suggestion was withdrawn: your team no longer sees it.")
        # From the item page: back there (never to another site).
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("widgets:team")
    team = selectors.team_suggestions_with_uptake(manager=employee)
    return render(
        request,
        "widgets/team.html",
        {
            "rows": team.rows,
            "team_size": team.team_size,
            "min_group": MIN_GROUP_SIZE,
            "min_team": MIN_COUNTED_GROUP_SIZE,
        },
    )


@login_required
def embed_admin(request):
    """Copy-paste snippets per placement and a live preview, for learning admins."""
    if not request.user.has_perm("widgets.view_placement"):
        raise PermissionDenied
    placements = Placement.objects.all()
    example_token = None
    employee = getattr(request.user, "employee", None)
    first = placements.filter(is_active=True).first()
    if first and employee:
        example_token = token_mint(
            placement_key=first.key,
            secret=first.secret,
            employee_id=employee.employee_id,
            ttl=DEFAULT_TTL_SECONDS,
        )
    return render(
        request,
        "widgets/embed_admin.html",
        {
            "placements": placements,
            "portal_url": settings.PORTAL_BASE_URL,
            "example_token": example_token,
            "example_placement": first,
        },
    )
