"""The meetings: moved or cancelled by a facilitator, answered by signed link (RSVP), the
calendar feed, and the wrap-up after each one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from people.models import User

from .. import selectors, services
from ..calendar import circle_feed
from ..forms import MeetingEditForm, RsvpForm, WrapupForm
from ..models import Circle, Meeting, Wrapup
from ..tokens import LinkExpired, LinkInvalid, feed_token_read, rsvp_token_read
from .common import act_then_return, circle_or_404, managed_meeting_or_404


@login_required
@require_POST
def meeting_edit(request, slug, week):
    circle, meeting = managed_meeting_or_404(request, slug, week)
    form = MeetingEditForm(request.POST, circle=circle)
    meetings = reverse("circles:manage", args=[slug]) + "#meetings"
    if not form.is_valid():
        messages.error(request, f"Week {week}: enter a valid date and time.")
        return redirect(meetings)
    return act_then_return(
        request,
        lambda: services.meeting_move(
            meeting=meeting,
            actor=request.user,
            starts_at=form.cleaned_data["starts_at"],
            reminder_note=form.cleaned_data["reminder_note"],
        ),
        done=f"Week {week} is saved. Members are told if it moved.",
        to=meetings,
        refused=f"Week {week}: ",
    )


@login_required
@require_POST
def meeting_cancel(request, slug, week):
    _, meeting = managed_meeting_or_404(request, slug, week)
    return act_then_return(
        request,
        lambda: services.meeting_cancel(meeting=meeting, actor=request.user),
        done=f"Week {week}'s meeting is cancelled; members are told.",
        to=reverse("circles:manage", args=[slug]) + "#meetings",
        refused=f"Week {week}: ",
    )


@require_http_methods(["GET", "POST"])
def rsvp(request, token):
    """From the reminder, without signing in: GET asks, POST records (link scanners only GET)."""
    try:
        meeting_id, user_id = rsvp_token_read(token)
    except LinkExpired:
        return render(request, "circles/rsvp_invalid.html", {"expired": True}, status=410)
    except LinkInvalid:
        return render(request, "circles/rsvp_invalid.html", {"expired": False}, status=400)
    meeting = Meeting.objects.select_related("circle").filter(pk=meeting_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if meeting is None or user is None:
        return render(request, "circles/rsvp_invalid.html", {"expired": False}, status=400)
    form = RsvpForm(request.POST or None, initial={"answer": request.GET.get("answer")})
    recorded = None
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.rsvp_record(
                meeting=meeting, user=user, answer=form.cleaned_data["answer"]
            )
        except ValidationError as error:
            form.add_error(None, error)
    current = meeting.rsvps.filter(user=user).first()
    return render(
        request,
        "circles/rsvp.html",
        {
            "meeting": meeting,
            "circle": meeting.circle,
            "form": form,
            "recorded": recorded,
            "current": current,
            "person": user,
        },
        status=400 if form.errors else 200,
    )


def circle_calendar(request, slug):
    """The circle's meetings as a feed: for a signed-in reader, or a member's signed link."""
    token = request.GET.get("key")
    circle = None
    with_link = False
    if token:
        try:
            circle_id, user_id = feed_token_read(token)
        except LinkInvalid:
            raise Http404("No such calendar.") from None
        user = User.objects.filter(pk=user_id, is_active=True).first()
        circle = Circle.objects.filter(pk=circle_id, slug=slug).first()
        if user is None or circle is None:
            raise Http404("No such calendar.")
        membership = selectors.circle_membership(user=user, circle=circle)
        if not membership.is_member:
            raise Http404("No such calendar.")
        with_link = True
    elif request.user.is_authenticated:
        circle = circle_or_404(request.user, slug)
        with_link = selectors.circle_membership(user=request.user, circle=circle).is_member
    else:
        raise Http404("No such calendar.")
    circle = (
        Circle.objects.select_related("offering").prefetch_related("meetings").get(pk=circle.pk)
    )
    response = HttpResponse(
        circle_feed(circle=circle, with_link=with_link), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{circle.slug}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def meeting_wrapup(request, slug, week):
    circle, meeting = managed_meeting_or_404(request, slug, week)
    existing = Wrapup.objects.filter(meeting=meeting).first()
    members = list(selectors.circle_member_users(circle=circle).exclude(facilitated_circles=circle))
    quotable = list(selectors.post_list_quotable(circle=circle, week=week))
    recorded = {a.user_id: a.attended for a in meeting.attendance.all()}
    initial = {"record_attendance": bool(recorded)}
    initial.update({f"attended_{uid}": attended for uid, attended in recorded.items()})
    if existing:
        initial.update(
            {
                "held": "yes" if existing.held else "no",
                "head_count": existing.head_count,
                "rating": existing.rating,
                "reflection": existing.reflection,
                "summary": existing.summary,
                "insights": existing.insights,
                "publish": existing.is_published,
            }
        )
    quoted = set(circle.quotes.filter(week=week).values_list("post_id", flat=True))
    initial["quotes"] = [str(pk) for pk in quoted if pk]
    form = WrapupForm(
        request.POST or None,
        initial=initial,
        question=existing.reflection_question
        if existing
        else services.reflection_question_for(meeting),
        members=members,
        quotable=quotable,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.wrapup_save(
                meeting=meeting,
                actor=request.user,
                held=data["held"],
                head_count=data["head_count"],
                rating=data["rating"],
                reflection=data["reflection"],
                summary=data["summary"],
                insights=data["insights"],
                publish=data["publish"],
                attendance=form.attendance(),
                quote_post_ids=[int(pk) for pk in data["quotes"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Week {week}'s wrap-up is saved"
                + (" and published in the archive." if data["publish"] else "."),
            )
            return redirect(reverse("circles:manage", args=[slug]) + "#meetings")
    return render(
        request,
        "circles/wrapup.html",
        {"circle": circle, "meeting": meeting, "form": form},
        status=400 if form.errors else 200,
    )
