from django.urls import reverse

from people.middleware import LEADS_TEAM_SESSION_KEY


def nav(request):
    """ "My team" in the main navigation, for people leaders (known from their sign-in)."""
    session = getattr(request, "session", None)
    if session is None or not session.get(LEADS_TEAM_SESSION_KEY):
        return {}
    return {"team_url": reverse("widgets:team")}
