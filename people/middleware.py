"""Each person reads times in their own zone (people.User.time_zone)."""

from django.utils import timezone

from learning_portal.core.timezones import is_zone

# The zone is copied into the session at sign-in and when the person changes it, so a
# request never loads the account to find it: the warm widget answers with no query at all.
TIME_ZONE_SESSION_KEY = "people_time_zone"


def remember_time_zone(request, zone: str) -> None:
    request.session[TIME_ZONE_SESSION_KEY] = zone


def signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_time_zone(request, user.time_zone)


class ViewerTimezoneMiddleware:
    """Activates the signed-in person's chosen zone for the request (else TIME_ZONE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        zone = session.get(TIME_ZONE_SESSION_KEY, "") if session is not None else ""
        if zone and is_zone(zone):
            with timezone.override(zone):
                return self.get_response(request)
        return self.get_response(request)
