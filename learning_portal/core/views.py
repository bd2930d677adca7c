import sys

from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
