from django.conf import settings

from . import branding


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_LOGO_URL": settings.PORTAL_LOGO_URL,
        "BRAND_CSS_URL": branding.stylesheet_url(),
        "SSO_ONLY": settings.SOCIALACCOUNT_ONLY,
    }
