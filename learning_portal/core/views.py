from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


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
