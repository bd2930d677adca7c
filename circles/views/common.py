"""What every circle page shares: the circle a person may see, or 404 (never 403, so a
circle's existence does not leak), and a refusal's text for a message."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect

from .. import selectors

PAGE_SIZE = 20


def circle_or_404(user, slug):
    circle = selectors.circle_get_visible_to(user=user, slug=slug)
    if circle is None:
        raise Http404("No such circle.")
    return circle


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def act_then_return(request, act: Callable[[], object], *, done: str, to: str, refused=""):
    """A button's action: `act` calls one service. Its refusal becomes an error message (after
    `refused`, e.g. "Week 2: "), its success the `done` message; either way back `to` a page."""
    try:
        act()
    except ValidationError as error:
        messages.error(request, refused + error_text(error))
    else:
        messages.success(request, done)
    return redirect(to)


def managed_meeting_or_404(request, slug, week):
    circle = circle_or_404(request.user, slug)
    if not selectors.circle_membership(user=request.user, circle=circle).can_manage:
        raise Http404("No such circle.")
    meeting = circle.meetings.filter(week=week).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return circle, meeting
