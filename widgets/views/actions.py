"""What people do in the widget: click through, hide a suggestion, suggest to their team."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from catalog.selectors import item_list_visible_to
from circles.selectors import circle_for_item
from learning_portal.core.security import session_passive

from .. import counters, services
from ..identity import claim_for, identify, identify_claim
from ..models import Variant
from .frame import NOTICE_CODES, SOURCE_FOR_VARIANT, frame_after_action


@session_passive
@require_GET
def go(request, item_id: int):
    """Click-through: count the click, then open the item page with the widget as its source.

    A top-level navigation: it carries no widget credential (the item page itself decides
    what the person may see once they are signed in to the portal).
    """
    identity = identify(request)
    user = identity.user or request.user
    item = get_object_or_404(item_list_visible_to(user=user).only("slug"), pk=item_id)
    variant = request.GET.get("variant", Variant.EMPLOYEE)
    if variant not in Variant.values:
        variant = Variant.EMPLOYEE
    department_id = getattr(getattr(identity.user, "employee", None), "department_id", None)
    counters.count_items(
        metric="clicks", item_ids=[item.pk], variant=variant, department_id=department_id
    )
    source = SOURCE_FOR_VARIANT[variant]
    # A learning circle's catalog entry opens the circle's page, where people join it.
    circle = circle_for_item(item=item)
    target = circle.get_absolute_url() if circle else item.get_absolute_url()
    return redirect(f"{target}?{urlencode({'source': source})}")


def _dismiss(request, item_id: int, widget_session: str | None):
    claim = claim_for(request, widget_session=widget_session)
    identity = identify_claim(request, claim)
    if identity.user is None:
        raise PermissionDenied("Sign in to hide suggestions.")
    item = get_object_or_404(item_list_visible_to(user=identity.user), pk=item_id)
    services.dismissal_create(user=identity.user, item=item)
    variant = request.POST.get("variant", Variant.EMPLOYEE)
    counters.count_items(
        metric="dismissals",
        item_ids=[item.pk],
        variant=variant if variant in Variant.values else Variant.EMPLOYEE,
        department_id=getattr(getattr(identity.user, "employee", None), "department_id", None),
    )
    return frame_after_action(request, claim, notice="")


@require_POST
def dismiss(request, item_id: int):
    """Session-authenticated dismiss (same-site intranets), CSRF-protected."""
    return _dismiss(request, item_id, widget_session=None)


@csrf_exempt
@require_POST
def dismiss_with_token(request, item_id: int):
    """Dismiss for cross-site intranets, with the widget session posted in the form.

    CSRF protection guards ambient credentials (cookies); this view ignores the session and
    acts only on the signed, short-lived widget session posted with the form.
    """
    widget_session = request.POST.get("widget_session", "").strip()
    if not widget_session:
        return HttpResponse("A widget session is required.", status=400)
    return _dismiss(request, item_id, widget_session=widget_session)


def _suggest(request, item_id: int, claim):
    identity = identify_claim(request, claim)
    employee = getattr(identity.user, "employee", None) if identity.user else None
    if employee is None:
        raise PermissionDenied("Sign in to suggest learning to your team.")
    item = get_object_or_404(item_list_visible_to(user=identity.user), pk=item_id)
    try:
        services.team_suggestion_create(manager=employee, item=item)
    except ValidationError as exc:
        return exc.messages[0], False
    return f"Suggested “{item.title}” to your team.", True


def _notice_code(message: str, ok: bool) -> str:
    return "suggested" if ok else NOTICE_CODES.get(message, "")


@require_POST
def suggest_to_team(request, item_id: int):
    message, ok = _suggest(request, item_id, claim_for(request))
    if request.POST.get("from") == "portal":
        # From the item page: back there with a message (never to another site).
        (messages.success if ok else messages.error)(request, message)
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = reverse("widgets:team")
        return redirect(next_url)
    return frame_after_action(request, claim_for(request), notice=_notice_code(message, ok))


@csrf_exempt
@require_POST
def suggest_to_team_with_token(request, item_id: int):
    widget_session = request.POST.get("widget_session", "").strip()
    if not widget_session:
        return HttpResponse("A widget session is required.", status=400)
    claim = claim_for(request, widget_session=widget_session)
    message, ok = _suggest(request, item_id, claim)
    return frame_after_action(request, claim, notice=_notice_code(message, ok))
