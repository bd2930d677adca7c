import sys

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from themes import selectors as theme_selectors
from widgets import selectors as widget_selectors

from . import health, outages


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    failures = health.readiness()
    if failures:
        return JsonResponse({"status": "unavailable", "down": failures}, status=503)
    return JsonResponse({"status": "ok"})


def home(request):
    now = timezone.now()
    theme = theme_selectors.theme_get_current(now=now)
    theme_entries = []
    if theme is not None:
        theme_entries = theme_selectors.theme_entries_visible_to(
            theme=theme, user=request.user, now=now
        )[: theme_selectors.HERO_ITEM_COUNT]
    # The same suggestions as the intranet widget, for people who come to the portal itself.
    suggestions = None
    if request.user.is_authenticated:
        viewer = widget_selectors.viewer_for(user=request.user, now=now)
        suggestions = widget_selectors.suggestions_for(viewer=viewer, limit=6, now=now)
    return render(
        request,
        "home.html",
        {
            "theme": theme,
            "theme_entries": theme_entries,
            "theme_is_this_month": theme is not None
            and theme.month == theme_selectors.month_start(now),
            "suggestions": suggestions,
        },
    )


def server_error(request):
    """handler500: the 503 page when the database is unavailable, else Django's 500.

    Django calls this while handling the exception, so `sys.exc_info()` holds it. A
    database outage is logged as one line per kind (outages.log_once) and the response is
    marked as logged, so Django adds no traceback of its own for each request.
    """
    exc = sys.exc_info()[1]
    if outages.is_database_unavailable(exc):
        outages.log_once("database unavailable", exc)
        response = outages.database_unavailable_response()
        response._has_been_logged = True
        return response
    return defaults.server_error(request)
