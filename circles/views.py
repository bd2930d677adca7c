"""Circle pages: discover, start, join and leave, and the facilitators' page.

A circle the person may not see answers 404 (never 403), so its existence does not leak.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import modelformset_factory
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from catalog.selectors import item_list_visible_to
from enrollment.models import Enrollment
from enrollment.templatetags.enrollment_tags import ordinal
from people.models import User

from . import selectors, services
from .calendar import circle_feed
from .exporting import archive_markdown
from .filters import CircleFilterSet
from .forms import (
    ArchiveSearchForm,
    CircleSearchForm,
    CircleStartForm,
    DigestForm,
    FacilitatorSurveyForm,
    HideForm,
    JoinForm,
    LearnerSurveyForm,
    MeetingEditForm,
    PlanWeekForm,
    PostForm,
    RsvpForm,
    WrapupForm,
)
from .models import (
    Circle,
    FacilitatorSurvey,
    LearnerSurvey,
    Meeting,
    PlanWeek,
    Post,
    Wrapup,
)
from .tokens import LinkExpired, LinkInvalid, feed_token, feed_token_read, rsvp_token_read

PAGE_SIZE = 20
SUBJECT_RESULTS = 20


def _circle_or_404(user, slug):
    circle = selectors.circle_get_visible_to(user=user, slug=slug)
    if circle is None:
        raise Http404("No such circle.")
    return circle


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


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
    circle = _circle_or_404(request.user, slug)
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
@require_POST
def circle_join(request, slug):
    circle = _circle_or_404(request.user, slug)
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Your answer is too long: keep it under 1,000 characters.")
        return redirect(circle)
    try:
        enrollment = services.circle_join(
            user=request.user, circle=circle, hope=form.cleaned_data["hope"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
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
    circle = _circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if membership.enrollment is None or not membership.enrollment.is_active:
        messages.info(request, "You are not signed up for this circle.")
        return redirect(circle)
    if request.method == "POST":
        try:
            services.circle_leave(user=request.user, circle=circle)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect(circle)
        messages.success(request, f"You have left {circle}.")
        return redirect(circle)
    return render(
        request, "circles/leave_confirm.html", {"circle": circle, "membership": membership}
    )


@login_required
@require_POST
def circle_interest(request, slug):
    circle = _circle_or_404(request.user, slug)
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
    circle = _circle_or_404(request.user, slug)
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
            "signups": circle.signups.select_related("user").order_by("created_at"),
            "seats_taken": selectors.circle_seats_taken(circle=circle),
            "meetings": selectors.meeting_list_for_manage(circle=circle),
            "survey": selectors.survey_results(circle=circle),
        },
    )


@login_required
@require_POST
def circle_submit(request, slug):
    circle = _circle_or_404(request.user, slug)
    try:
        circle = services.circle_submit(circle=circle, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if circle.is_awaiting_approval:
            messages.success(request, "Sent to the learning admins for approval.")
        else:
            messages.success(request, "Your circle is open for sign-up.")
    return redirect("circles:manage", slug=circle.slug)


def _state_change(request, slug, service, success: str):
    """Run a circle state service from the manage page; its refusal becomes a message."""
    circle = _circle_or_404(request.user, slug)
    try:
        service(circle=circle, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success.format(circle=circle))
    return redirect("circles:manage", slug=circle.slug)


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


# --- meetings -----------------------------------------------------------------------------------


def _managed_meeting_or_404(request, slug, week):
    circle = _circle_or_404(request.user, slug)
    if not selectors.circle_membership(user=request.user, circle=circle).can_manage:
        raise Http404("No such circle.")
    meeting = circle.meetings.filter(week=week).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return circle, meeting


@login_required
@require_POST
def meeting_edit(request, slug, week):
    circle, meeting = _managed_meeting_or_404(request, slug, week)
    form = MeetingEditForm(request.POST, circle=circle)
    if not form.is_valid():
        messages.error(request, f"Week {week}: enter a valid date and time.")
        return redirect(reverse("circles:manage", args=[slug]) + "#meetings")
    try:
        services.meeting_move(
            meeting=meeting,
            actor=request.user,
            starts_at=form.cleaned_data["starts_at"],
            reminder_note=form.cleaned_data["reminder_note"],
        )
    except ValidationError as error:
        messages.error(request, f"Week {week}: {_error_text(error)}")
    else:
        messages.success(request, f"Week {week} is saved. Members are told if it moved.")
    return redirect(reverse("circles:manage", args=[slug]) + "#meetings")


@login_required
@require_POST
def meeting_cancel(request, slug, week):
    _, meeting = _managed_meeting_or_404(request, slug, week)
    try:
        services.meeting_cancel(meeting=meeting, actor=request.user)
    except ValidationError as error:
        messages.error(request, f"Week {week}: {_error_text(error)}")
    else:
        messages.success(request, f"Week {week}'s meeting is cancelled; members are told.")
    return redirect(reverse("circles:manage", args=[slug]) + "#meetings")


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
        circle = _circle_or_404(request.user, slug)
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


# --- discussion ---------------------------------------------------------------------------------

POSTS_PER_PAGE = 20


def _reader_or_404(request, slug):
    """The circle and the person's membership; 404 for anyone who may not read it."""
    circle = _circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if not membership.can_read_discussion:
        raise Http404("No such discussion.")
    return circle, membership


def _thread_or_404(circle, week):
    thread = circle.threads.filter(week=week).first()
    if thread is None:
        raise Http404("This week's discussion has not opened yet.")
    return thread


@login_required
@require_http_methods(["GET", "POST"])
def discussion(request, slug):
    circle, membership = _reader_or_404(request, slug)
    if request.method == "POST":
        form = DigestForm(request.POST)
        if form.is_valid() and membership.is_member:
            services.digest_setting_update(
                circle=circle, user=request.user, frequency=form.cleaned_data["frequency"]
            )
            messages.success(request, "Your digest setting is saved.")
        return redirect("circles:discussion", slug=slug)
    return render(
        request,
        "circles/discussion.html",
        {
            "circle": circle,
            "membership": membership,
            "threads": selectors.thread_list_for(circle=circle),
            "digest_form": DigestForm(
                initial={"frequency": services.digest_frequency(circle=circle, user=request.user)}
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def thread_detail(request, slug, week):
    circle, membership = _reader_or_404(request, slug)
    thread = _thread_or_404(circle, week)
    form = PostForm(request.POST or None)
    if request.method == "POST":
        parent = None
        if form.is_valid() and form.cleaned_data["parent"]:
            parent = thread.posts.filter(pk=form.cleaned_data["parent"]).first()
            if parent is None:
                form.add_error(None, "The post you replied to is gone.")
        if form.is_valid():
            try:
                post = services.post_create(
                    thread=thread,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    parent=parent,
                    may_quote=form.cleaned_data["may_quote"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if request.htmx:
                    post.can_edit = True
                    post.prefetched_replies = []
                    return render(
                        request,
                        "circles/_post_created.html",
                        {
                            "post": post,
                            "parent": parent,
                            "membership": membership,
                            "thread": thread,
                            "form": PostForm(),
                            "blank_form": PostForm(),
                        },
                    )
                return redirect(post.get_absolute_url())
        if request.htmx:
            # The form comes back with its errors, out of band; nothing is added.
            return render(
                request,
                "circles/_post_created.html",
                {"post": None, "parent": parent, "thread": thread, "form": form},
            )
    page = Paginator(selectors.thread_posts(thread=thread), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    for post in page:
        post.prefetched_replies = list(post.replies.all())
        for item in [post, *post.prefetched_replies]:
            item.can_edit = services.can_edit(post=item, user=request.user, now=now)
    return render(
        request,
        "circles/thread.html",
        {
            "circle": circle,
            "thread": thread,
            "membership": membership,
            "page": page,
            "form": form,
            "blank_form": PostForm(),
            "threads": selectors.thread_list_for(circle=circle),
        },
        status=400 if form.errors else 200,
    )


def _own_post_or_404(request, slug, week, pk):
    circle, membership = _reader_or_404(request, slug)
    thread = _thread_or_404(circle, week)
    post = thread.posts.select_related("author").filter(pk=pk).first()
    if post is None:
        raise Http404("No such post.")
    return circle, membership, thread, post


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, slug, week, pk):
    circle, membership, thread, post = _own_post_or_404(request, slug, week, pk)
    form = PostForm(request.POST or None, initial={"body": post.body, "may_quote": post.may_quote})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(
                post=post,
                user=request.user,
                body=form.cleaned_data["body"],
                may_quote=form.cleaned_data["may_quote"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your post is updated.")
            return redirect(post.get_absolute_url())
    if post.author_id != request.user.pk:
        raise Http404("No such post.")
    return render(
        request,
        "circles/post_edit.html",
        {"circle": circle, "thread": thread, "post": post, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def post_delete(request, slug, week, pk):
    _, _, thread, post = _own_post_or_404(request, slug, week, pk)
    try:
        services.post_delete(post=post, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Your post is deleted.")
    return redirect(thread.get_absolute_url())


@login_required
@require_POST
def post_hide(request, slug, week, pk):
    _, membership, thread, post = _own_post_or_404(request, slug, week, pk)
    if not membership.can_manage:
        raise Http404("No such post.")
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the post is hidden: the reason is kept with it.")
        return redirect(post.get_absolute_url())
    services.post_hide(post=post, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, "The post is hidden. Its text and your reason are kept.")
    return redirect(post.get_absolute_url())


# --- after a meeting, and the archive -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_wrapup(request, slug, week):
    circle, meeting = _managed_meeting_or_404(request, slug, week)
    existing = Wrapup.objects.filter(meeting=meeting).first()
    members = list(selectors.circle_member_users(circle=circle).exclude(facilitated_circles=circle))
    quotable = list(
        Post.objects.filter(
            thread__circle=circle,
            thread__week=week,
            may_quote=True,
            hidden_at__isnull=True,
            deleted_at__isnull=True,
        ).order_by("created_at")
    )
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


@login_required
def archive_list(request):
    search = ArchiveSearchForm(request.GET or None)
    term = search.cleaned_data["q"] if search.is_valid() else ""
    circles = selectors.archive_list_visible_to(user=request.user, search=term)
    page = Paginator(circles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "circles/archive_list.html", {"search": search, "page": page, "term": term}
    )


def _archive_context(request, slug):
    circle = _circle_or_404(request.user, slug)
    if not circle.is_public:
        raise Http404("No such archive.")
    return {
        "circle": circle,
        "weeks": selectors.circle_archive_weeks(circle=circle),
        "facilitators": list(circle.facilitators.all()),
    }


@login_required
def circle_insights(request, slug):
    context = _archive_context(request, slug)
    context["attendance"] = selectors.attendance_for(user=request.user, circle=context["circle"])
    return render(request, "circles/insights.html", context)


@login_required
def circle_insights_print(request, slug):
    return render(request, "circles/insights_print.html", _archive_context(request, slug))


@login_required
def circle_insights_markdown(request, slug):
    circle = _archive_context(request, slug)["circle"]
    response = HttpResponse(
        archive_markdown(circle=circle), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{circle.slug}.md"'
    return response


# --- end of circle, and a person's own posts ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey(request, slug):
    circle = _circle_or_404(request.user, slug)
    membership = selectors.circle_membership(user=request.user, circle=circle)
    if not membership.is_member:
        raise Http404("No such survey.")
    facilitator = membership.is_facilitator
    model = FacilitatorSurvey if facilitator else LearnerSurvey
    form_class = FacilitatorSurveyForm if facilitator else LearnerSurveyForm
    existing = model.objects.filter(circle=circle, user=request.user).first()
    form = form_class(request.POST or None, instance=existing)
    if not services.survey_open(circle=circle):
        return render(request, "circles/survey.html", {"circle": circle, "closed": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if facilitator:
                services.facilitator_survey_submit(circle=circle, user=request.user, **data)
            else:
                services.learner_survey_submit(circle=circle, user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Thank you: your answers are saved.")
            return redirect(circle)
    return render(
        request,
        "circles/survey.html",
        {"circle": circle, "form": form, "facilitator": facilitator},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_posts(request):
    """A person's own discussion posts: see, download (JSON) or erase them all."""
    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.error(request, "Tick the box to confirm that every post should be deleted.")
            return redirect("circles:my_posts")
        count = services.my_posts_delete(user=request.user)
        messages.success(request, f"{count} post{'s' if count != 1 else ''} deleted.")
        return redirect("circles:my_posts")
    if request.GET.get("format") == "json":
        response = JsonResponse(
            {"posts": services.my_posts_export(user=request.user)},
            json_dumps_params={"indent": 2, "ensure_ascii": False},
        )
        response["Content-Disposition"] = 'attachment; filename="my-circle-posts.json"'
        return response
    return render(request, "circles/my_posts.html", {"posts": services.my_posts(user=request.user)})
