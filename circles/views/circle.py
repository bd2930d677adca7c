"""Discover, start, join and leave a circle, and the facilitators' page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import modelformset_factory
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.selectors import item_list_visible_to
from enrollment.models import Enrollment
from enrollment.services import WITHDRAW_SERIES_OVER
from enrollment.templatetags.enrollment_tags import ordinal

from .. import selectors, services
from ..filters import CircleFilterSet
from ..forms import CircleSearchForm, CircleStartForm, JoinForm, PlanWeekForm
from ..models import PlanWeek
from ..panels import panels_for
from ..tokens import feed_token
from .common import PAGE_SIZE, act_then_return, circle_or_404, error_text

# Catalog items offered when a person searches for what their circle is about.
SUBJECT_RESULTS = 20


@login_required
def circle_list(request):
    circles = selectors.circle_list_visible_to(user=request.user)
    filterset = CircleFilterSet(request.GET or None, queryset=circles)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for circle in page:
        circle.seats_left = max(circle.seat_cap - circle.seats_taken, 0)
    return render(
        request,
        "circles/circle_list.html",
        {"filterset": filterset, "page": page, "circles": page.object_list},
    )


@login_required
def circle_detail(request, slug):
    circle = circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    seats_taken = selectors.circle_seats_taken(circle=circle)
    return render(
        request,
        "circles/circle_detail.html",
        {
            "circle": circle,
            "membership": membership,
            "seats_left": max(circle.seat_cap - seats_taken, 0),
            "join_form": JoinForm(),
            "signup_open": circle.offering.is_enrollment_open(),
            "wants_notice": selectors.interest_pending(user=request.user, subject=circle.subject),
            "survey_open": membership.is_member and services.survey_open(circle=circle),
            "facilitators": list(circle.facilitators.all()),
            "panels": panels_for(circle=circle),
            "feed_url": (
                reverse("circles:calendar", args=[circle.slug])
                + "?key="
                + feed_token(circle=circle, user=request.user)
                if membership.is_member
                else None
            ),
        },
    )


@login_required
@require_GET
def circle_call(request, slug):
    """The weekly call, for members only: a link that may be shared where non-members read
    (a Slack channel, a forwarded reminder) without handing them the call itself."""
    circle = circle_or_404(request.user, slug)
    if not circle.video_url:
        messages.info(request, "This circle has no video call link yet.")
        return redirect(circle)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if not membership.is_member:
        if membership.waitlist_position:
            messages.info(
                request,
                f"The video call is for members with a seat; you are "
                f"{ordinal(membership.waitlist_position)} on the waitlist.",
            )
        else:
            messages.info(
                request, "The video call is for the circle's members: join it to take part."
            )
        return redirect(circle)
    return redirect(circle.video_url)


@login_required
@require_POST
def circle_join(request, slug):
    circle = circle_or_404(request.user, slug)
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your answer is too long: keep it under 1,000 characters.")
        return redirect(circle)
    try:
        enrollment = services.circle_join(
            user=request.user, circle=circle, hope=form.cleaned_data["hope"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(circle)
    if enrollment.status == Enrollment.Status.WAITLISTED:
        membership = selectors.circle_membership(user=request.user, circle=circle)
        messages.info(
            request,
            f"The circle is full, so you are {ordinal(membership.waitlist_position)} on the "
            "waitlist. We will email you if a seat frees up.",
        )
    else:
        messages.success(request, f"You have joined {circle}. See you at the first meeting!")
    return redirect(circle)


@login_required
@require_http_methods(["GET", "POST"])
def circle_leave(request, slug):
    circle = circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if membership.enrollment is None or not membership.enrollment.is_active:
        messages.info(request, "You are not signed up for this circle.")
        return redirect(circle)
    if not membership.can_leave:
        messages.info(request, WITHDRAW_SERIES_OVER)
        return redirect(circle)
    if request.method == "POST":
        try:
            services.circle_leave(user=request.user, circle=circle)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(circle)
        messages.success(request, f"You have left {circle}.")
        return redirect(circle)
    return render(
        request, "circles/leave_confirm.html", {"circle": circle, "membership": membership}
    )


@login_required
@require_POST
def circle_interest(request, slug):
    circle = circle_or_404(request.user, slug)
    if request.POST.get("action") == "cancel":
        services.interest_cancel(user=request.user, subject=circle.subject)
        messages.info(request, "We will not email you about new circles on this.")
    else:
        services.interest_register(user=request.user, subject=circle.subject)
        messages.success(
            request, f"We will email you when the next circle on {circle.subject} opens."
        )
    return redirect(circle)


@login_required
@require_http_methods(["GET", "POST"])
def circle_start(request):
    """Step 1: find the catalog item. Step 2 (?subject=slug): the plan and the cadence."""
    visible = item_list_visible_to(user=request.user)
    subject_slug = request.GET.get("subject") or request.POST.get("subject")
    if not subject_slug:
        search = CircleSearchForm(request.GET or None)
        results = []
        if search.is_valid() and search.cleaned_data["q"]:
            results = list(
                visible.filter(title__icontains=search.cleaned_data["q"]).order_by("title")[
                    :SUBJECT_RESULTS
                ]
            )
        return render(
            request,
            "circles/start_pick.html",
            {"search": search, "results": results, "searched": search.is_bound},
        )
    subject = visible.filter(slug=subject_slug).first()
    if subject is None:
        raise Http404("No such learning item.")
    form = CircleStartForm(
        request.POST or None,
        subject=subject,
        initial={"title": f"{subject.title} circle", "reading": subject.title},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            circle = services.circle_create(
                proposer=request.user,
                subject=subject,
                title=data["title"],
                reading=data["reading"],
                description=data["description"],
                plan=data["plan"],
                start_date=data["start_date"],
                meeting_time=data["meeting_time"],
                timezone_name=data["timezone"],
                duration_minutes=data["duration_minutes"],
                seat_cap=data["seat_cap"],
                video_url=data["video_url"],
                audiences=[data["audience"]] if data["audience"] else [],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your circle is saved as a draft. Check the prompts, then open it for sign-up.",
            )
            return redirect("circles:manage", slug=circle.slug)
    return render(request, "circles/start_form.html", {"form": form, "subject": subject})


PlanFormSet = modelformset_factory(PlanWeek, form=PlanWeekForm, extra=0)


@login_required
@require_http_methods(["GET", "POST"])
def circle_manage(request, slug):
    """The facilitators' page: state, approval, the plan's prompts."""
    circle = circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if not membership.can_manage:
        raise Http404("No such circle.")
    formset = PlanFormSet(
        request.POST if request.method == "POST" else None,
        queryset=circle.plan.order_by("week"),
        prefix="plan",
    )
    if request.method == "POST":
        if formset.is_valid():
            for form in formset.forms:
                if form.has_changed():
                    services.plan_week_update(
                        week=form.instance,
                        actor=request.user,
                        title=form.cleaned_data["title"],
                        prompt=form.cleaned_data["prompt"],
                    )
            messages.success(request, "The plan is saved.")
            return redirect("circles:manage", slug=circle.slug)
        messages.error(request, "Please correct the weeks marked below.")
    return render(
        request,
        "circles/manage.html",
        {
            "circle": circle,
            "membership": membership,
            "formset": formset,
            "roster": selectors.circle_roster(circle=circle),
            "seats_taken": selectors.circle_seats_taken(circle=circle),
            "meetings": selectors.meeting_list_for_manage(circle=circle),
            "survey": selectors.survey_results(circle=circle),
        },
    )


@login_required
@require_POST
def circle_submit(request, slug):
    circle = circle_or_404(request.user, slug)
    try:
        circle = services.circle_submit(circle=circle, actor=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if circle.is_awaiting_approval:
            messages.success(request, "Sent to the learning admins for approval.")
        else:
            messages.success(request, "Your circle is open for sign-up.")
    return redirect("circles:manage", slug=circle.slug)


def _state_change(request, slug, service, success: str):
    """Run a circle state service from the manage page; its refusal becomes a message."""
    circle = circle_or_404(request.user, slug)
    return act_then_return(
        request,
        lambda: service(circle=circle, actor=request.user),
        done=success.format(circle=circle),
        to=reverse("circles:manage", args=[circle.slug]),
    )


@login_required
@require_POST
def circle_approve(request, slug):
    return _state_change(
        request, slug, services.circle_approve, "{circle} is approved and open for sign-up."
    )


@login_required
@require_POST
def circle_archive(request, slug):
    return _state_change(request, slug, services.circle_archive, "{circle} is archived.")
