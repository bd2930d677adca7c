"""The portal's own widget pages: a manager's suggestions to their team, the embed page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from learning_portal.core.privacy import counted_group_size_floor, group_size_floor

from .. import selectors, services
from ..models import Placement
from ..tokens import DEFAULT_TTL_SECONDS, token_mint


@login_required
def team(request):
    """A manager's suggestions to their team, with uptake as a count (teams of ≥ 5 only)."""
    employee = getattr(request.user, "employee", None)
    if employee is None or not employee.is_manager:
        raise Http404("This page is for people leaders.")
    if request.method == "POST":
        suggestion_id = request.POST.get("suggestion", "")
        if not suggestion_id.isdigit():
            return HttpResponseBadRequest("Choose a suggestion to withdraw.")
        services.team_suggestion_withdraw(manager=employee, suggestion_id=int(suggestion_id))
        messages.success(request, "The suggestion was withdrawn: your team no longer sees it.")
        # From the item page: back there (never to another site).
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("widgets:team")
    team = selectors.team_suggestions_with_uptake(manager=employee)
    return render(
        request,
        "widgets/team.html",
        {
            "rows": team.rows,
            "team_size": team.team_size,
            "min_group": group_size_floor(),
            "min_team": counted_group_size_floor(),
        },
    )


@login_required
def embed_admin(request):
    """Copy-paste snippets per placement and a live preview, for learning admins."""
    if not request.user.has_perm("widgets.view_placement"):
        raise PermissionDenied
    placements = Placement.objects.all()
    example_token = None
    employee = getattr(request.user, "employee", None)
    first = placements.filter(is_active=True).first()
    if first and employee:
        example_token = token_mint(
            placement_key=first.key,
            secret=first.secret,
            employee_id=employee.employee_id,
            ttl=DEFAULT_TTL_SECONDS,
        )
    return render(
        request,
        "widgets/embed_admin.html",
        {
            "placements": placements,
            "portal_url": settings.PORTAL_BASE_URL,
            "example_token": example_token,
            "example_placement": first,
        },
    )
