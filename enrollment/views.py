"""Enrolling, withdrawing, My learning and the person's own transcript.

Every view works on the signed-in person's own records; no URL takes a user id, and an
enrollment id that is not theirs answers 404.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from . import calendar, exports, selectors, services
from .calendar import PUBLISH
from .forms import CompleteForm, EnrollForm, SwitchForm
from .models import Enrollment, Source
from .templatetags.enrollment_tags import ordinal


def _visible_item_or_404(user, slug):
    # The item remembers this check, so the service does not repeat the visibility query.
    item = selectors.item_get_enrollable(user=user, slug=slug)
    if item is None:
        raise Http404("No such learning item.")
    return item


def _enrolled_message(enrollment: Enrollment) -> str:
    if enrollment.status == Enrollment.Status.WAITLISTED:
        # A new place knows its position from the count taken under the session's lock; an
        # earlier one (a double submit answered with the place it already holds) is counted.
        position = getattr(enrollment, "joined_waitlist_at_position", None)
        position = position or selectors.waitlist_position(enrollment=enrollment)
        return (
            f"The session is full, so you are {ordinal(position)} on the waitlist for "
            f"{enrollment.item}. We will email you if a seat frees up."
        )
    return f"You are enrolled in {enrollment.item}. It is on your transcript."


@login_required
@require_http_methods(["GET", "POST"])
def enroll(request, slug):
    """GET: what enrolling will do. POST: enroll (idempotent on double submit)."""
    item = _visible_item_or_404(request.user, slug)
    offering = None
    if not item.is_self_paced:
        session_id = request.GET.get("session") or request.POST.get("session")
        if not session_id:
            messages.info(request, "Choose one of the sessions below to enroll.")
            return redirect(item.get_absolute_url() + "#sessions")
        if not str(session_id).isdigit():
            raise Http404("No such session.")
        offering = get_object_or_404(item.offerings.all(), pk=int(session_id))
    raw_source = request.POST.get("source") if request.method == "POST" else None
    form = EnrollForm(
        request.POST if request.method == "POST" else None,
        initial={"source": Source.parse(raw_source or request.GET.get("source"))},
    )
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = services.enrollment_create(
                user=request.user,
                item=item,
                offering=offering,
                source=form.cleaned_data["source"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 400
        else:
            messages.success(request, _enrolled_message(enrollment))
            return redirect(reverse("enrollment:my_learning") + f"#enrollment-{enrollment.pk}")
    existing = selectors.enrollment_active_for_item(user=request.user, item=item)
    context = {"item": item, "offering": offering, "form": form, "error": error}
    context.update(_what_will_happen(offering=offering, existing=existing))
    return render(request, "enrollment/enroll_confirm.html", context, status=status)


def _what_will_happen(*, offering, existing) -> dict:
    outcome, next_position = selectors.enrollment_outcome_preview(
        offering=offering, existing=existing
    )
    return {
        "outcome": outcome,
        "existing": existing,
        "next_position": next_position and ordinal(next_position),
    }


def _own_enrollment_or_404(request, pk) -> Enrollment:
    enrollment = selectors.enrollment_get_own(user=request.user, pk=pk)
    if enrollment is None:
        raise Http404("No such enrollment.")
    return enrollment


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    enrollment = _own_enrollment_or_404(request, pk)
    error = None
    if request.method == "POST":
        try:
            services.enrollment_withdraw(enrollment=enrollment, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You have withdrawn from {enrollment.item}.")
            return redirect("enrollment:my_learning")
    too_late = not enrollment.can_withdraw()
    return render(
        request,
        "enrollment/withdraw_confirm.html",
        {"enrollment": enrollment, "error": error, "too_late": too_late},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def switch(request, pk):
    enrollment = _own_enrollment_or_404(request, pk)
    if enrollment.offering_id is None or not enrollment.is_active:
        raise Http404("Only a current session place can be switched.")
    offerings = selectors.offering_list_switch_targets(enrollment=enrollment)
    form = SwitchForm(request.POST or None, offerings=offerings)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            new = services.enrollment_switch(
                enrollment=enrollment, offering=form.cleaned_data["offering"], actor=request.user
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Session switched. " + _enrolled_message(new))
            return redirect(reverse("enrollment:my_learning") + f"#enrollment-{new.pk}")
    return render(
        request,
        "enrollment/switch.html",
        {"enrollment": enrollment, "form": form, "offerings": offerings, "error": error},
        status=400 if error or form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def complete(request, pk):
    enrollment = _own_enrollment_or_404(request, pk)
    form = CompleteForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_complete(
                enrollment=enrollment,
                actor=request.user,
                reflection=form.cleaned_data["reflection"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Well done: {enrollment.item} is marked complete.")
            return redirect("enrollment:my_learning")
    return render(
        request,
        "enrollment/complete.html",
        {"enrollment": enrollment, "form": form, "error": error},
        status=400 if error or form.errors else 200,
    )


def _back_to(request, item):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(item.get_absolute_url())


@login_required
@require_POST
def save_toggle(request, slug):
    item = _visible_item_or_404(request.user, slug)
    saved = services.saved_item_toggle(user=request.user, item=item)
    if saved:
        messages.success(request, f"Saved {item} for later. Find it under My learning.")
    else:
        messages.info(request, f"Removed {item} from your saved items.")
    return _back_to(request, item)


@login_required
@require_POST
def session_interest(request, slug):
    item = _visible_item_or_404(request.user, slug)
    if request.POST.get("action") == "cancel":
        services.session_interest_cancel(user=request.user, item=item)
        messages.info(request, f"We will no longer email you about new sessions of {item}.")
    else:
        services.session_interest_register(user=request.user, item=item)
        messages.success(request, f"We will email you once when a new session of {item} opens.")
    return _back_to(request, item)


@login_required
def my_learning(request):
    page = selectors.my_learning_for(user=request.user)
    return render(request, "enrollment/my_learning.html", {"page": page})


@login_required
def transcript(request):
    """A printable page of the person's own transcript."""
    events = selectors.transcript_events_for(user=request.user)
    return render(
        request,
        "enrollment/transcript.html",
        {"events": events, "printed_at": timezone.now()},
    )


def _export_name(extension: str) -> str:
    return f"transcript-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
def transcript_csv(request):
    events = selectors.transcript_events_for(user=request.user)
    response = HttpResponse(exports.transcript_csv(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@login_required
def transcript_xapi(request):
    employee = getattr(request.user, "employee", None)
    # People without an HR record are identified by their account email instead.
    name = employee.employee_id if employee else request.user.email
    statements = exports.xapi_statements(
        selectors.transcript_events_for(user=request.user), employee_id=name
    )
    response = HttpResponse(
        json.dumps(statements, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("json")}"'
    return response


@login_required
def calendar_file(request, pk):
    """ "Add to calendar": the person's own seat as an .ics file (the emailed invite's event)."""
    enrollment = _own_enrollment_or_404(request, pk)
    offering = enrollment.offering
    # A circle's span has no event of its own: each meeting brings its invite.
    if offering is None or not enrollment.has_seat or offering.meeting_series:
        raise Http404("This enrollment has no session in your calendar.")
    content = calendar.offering_invite(offering=offering, user=request.user, method=PUBLISH)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{offering.item.slug}.ics"'
    return response
