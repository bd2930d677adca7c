"""The suggestions as JSON, and the widget's scripts."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from learning_portal.core.security import session_passive

from .. import counters, selectors
from ..identity import identify
from .frame import STATIC_DIR


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
