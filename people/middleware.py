"""Each person reads times in their own zone (people.User.time_zone)."""

from django.utils import timezone

from learning_portal.core.timezones import is_zone

from .models import Employee
from .selectors import employee_leads_team

# The zone is copied into the session at sign-in and when the person changes it, so a
# request never loads the account to find it: the warm widget answers with no query at all.
TIME_ZONE_SESSION_KEY = "people_time_zone"
# Likewise whether the person leads a team, for the menu's "My team" (the page itself checks
# again, so a change in HR's feed only moves the link at the next sign-in).
LEADS_TEAM_SESSION_KEY = "people_leads_team"


def remember_time_zone(request, zone: str) -> None:
    request.session[TIME_ZONE_SESSION_KEY] = zone


def signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_time_zone(request, user.time_zone)
        employee = Employee.objects.filter(user=user).first()
        request.session[LEADS_TEAM_SESSION_KEY] = employee_leads_team(employee=employee)


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
