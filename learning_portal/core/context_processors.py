from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": settings.PORTAL_NAME, "SSO_ONLY": settings.SOCIALACCOUNT_ONLY}
