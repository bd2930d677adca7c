"""Takeaway pages: facilitators review and publish, members read what was published, HR sees
themes across circles. Drafts are seen by the circle's facilitators and nobody else."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from circles import services as circle_services
from circles.models import Circle
from circles.selectors import circle_get_visible_to, circle_membership
from learning_portal.core.privacy import group_size_floor

from ..access import insights_required
from ..models import WeeklyTakeaway
from ..tasks import propose_circle_takeaways
from . import selectors, services
from .forms import TakeawayForm

logger = logging.getLogger(__name__)


def _facilitated_or_404(request, slug) -> Circle:
    circle = get_object_or_404(Circle, slug=slug)
    if not services.is_facilitator(circle=circle, user=request.user):
        raise Http404("No such circle among yours.")
    return circle


@login_required
def review_list(request):
    circles = list(selectors.circles_facilitated_by(user=request.user))
    return render(request, "insights/takeaways/review_list.html", {"circles": circles})


def _review_context(circle, forms=None):
    takeaways = list(selectors.takeaways_for_review(circle=circle))
    forms = forms or {}
    return {
        "circle": circle,
        "min_people": group_size_floor(),
        "weeks": [
            (
                takeaway,
                forms.get(takeaway.pk)
                or TakeawayForm(
                    initial={
                        "themes": takeaway.themes,
                        "key_phrases": takeaway.key_phrases,
                        "summary": takeaway.summary,
                        "demand_phrases": takeaway.demand_phrases,
                    },
                    prefix=f"week{takeaway.week}",
                ),
            )
            for takeaway in takeaways
        ],
    }


@login_required
def review_circle(request, slug):
    circle = _facilitated_or_404(request, slug)
    return render(request, "insights/takeaways/review.html", _review_context(circle))


@require_POST
@login_required
def consent(request, slug):
    circle = _facilitated_or_404(request, slug)
    enabled = request.POST.get("enabled") == "on"
    try:
        circle_services.circle_takeaways_set(circle=circle, actor=request.user, enabled=enabled)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "Takeaways are on: the circle's pages now tell members."
            if enabled
            else "Takeaways are off: no new drafts will be proposed.",
        )
    return redirect("insights:takeaways_review", slug=circle.slug)


@require_POST
@login_required
def refresh(request, slug):
    circle = _facilitated_or_404(request, slug)
    if circle.takeaways_enabled_at is None:
        messages.error(request, services.NOT_ENABLED)
        return redirect("insights:takeaways_review", slug=circle.slug)
    try:
        propose_circle_takeaways.delay(circle.pk)
    except Exception:  # noqa: BLE001 - the broker is down; the nightly run will do it
        logger.warning("takeaways refresh for circle %s not queued", circle.pk, exc_info=True)
        messages.error(request, "The drafts could not be queued just now; try again shortly.")
    else:
        messages.success(request, "New drafts are on their way: reload in a minute.")
    return redirect("insights:takeaways_review", slug=circle.slug)


@require_POST
@login_required
def edit(request, slug, week):
    circle = _facilitated_or_404(request, slug)
    takeaway = get_object_or_404(WeeklyTakeaway, circle=circle, week=week)
    action = request.POST.get("action", "save")
    form = TakeawayForm(request.POST, prefix=f"week{week}")
    try:
        if action == "unpublish":
            services.takeaway_unpublish(takeaway=takeaway, actor=request.user)
            messages.success(request, f"Week {week} is a draft again.")
            return redirect("insights:takeaways_review", slug=circle.slug)
        if not form.is_valid():
            raise ValidationError("Check the fields below.")
        # A published week is never edited in place: takeaway_update says so (ALREADY_PUBLISHED)
        # rather than the page claiming a save that did not happen.
        takeaway = services.takeaway_update(
            takeaway=takeaway, actor=request.user, **form.cleaned_data
        )
        if action == "publish":
            services.takeaway_publish(takeaway=takeaway, actor=request.user)
            messages.success(request, f"Week {week} is published for the circle and HR's themes.")
        else:
            messages.success(request, f"Week {week} saved as a draft.")
    except ValidationError as error:
        form.add_error(None, error)
        if takeaway.is_published:
            # A published week shows no form to carry the error: tell it at the top.
            messages.error(request, " ".join(error.messages))
        context = _review_context(circle, forms={takeaway.pk: form})
        return render(request, "insights/takeaways/review.html", context, status=400)
    return redirect("insights:takeaways_review", slug=circle.slug)


@login_required
def circle_published(request, slug):
    """A circle's published takeaways, for its members (and its facilitators)."""
    circle = circle_get_visible_to(user=request.user, slug=slug)
    if circle is None:
        raise Http404("No such circle.")
    membership = circle_membership(user=request.user, circle=circle)
    if not membership.is_member:
        raise Http404("Only the circle's members read its takeaways.")
    return render(
        request,
        "insights/takeaways/circle.html",
        {
            "circle": circle,
            "takeaways": selectors.takeaways_published(circle=circle),
            "is_facilitator": membership.is_facilitator,
        },
    )


@insights_required
def organisation(request):
    return render(
        request,
        "insights/takeaways/organisation.html",
        {"report": selectors.organisation_themes()},
    )
