"""Reads of circles with the rules that decide who sees what.

Who may see a circle is its catalog entry's audience (`catalog.visibility`), never a rule of
our own; drafts are seen by their facilitators and learning admins only. Membership, which
opens the discussion and the meeting details, is a seat in the circle's session (an
enrollment) or being one of its facilitators.
"""

from dataclasses import dataclass

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from catalog.models import Item
from catalog.visibility import published_q, visible_items_q
from enrollment.models import Enrollment
from enrollment.selectors import SEATED, enrollment_active_for_item, waitlist_position
from learning_portal.core.privacy import group_size_floor
from people.models import User

from .models import Attendance, Circle, Interest, Meeting, PlanWeek, Post

LISTED_STATES = (Circle.State.OPEN, Circle.State.RUNNING)
ARCHIVE_STATES = (Circle.State.FINISHED, Circle.State.ARCHIVED)


def is_learning_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("circles.change_circle")


def _visible_q(user: User) -> Q:
    """Past the draft and in the audience of the circle's catalog entry.

    Not the publish window: a finished circle's page and archive stay readable.
    """
    audience_items = Item.objects.filter(visible_items_q(user)).values("pk")
    return Q(item__in=audience_items) & ~Q(state=Circle.State.DRAFT)


def circle_list_visible_to(*, user: User, states=LISTED_STATES) -> QuerySet[Circle]:
    """Circles the person may see in the given states, with `seats_taken` (seated learners)."""
    visible_items = Item.objects.filter(published_q() & visible_items_q(user)).values("pk")
    return (
        Circle.objects.filter(state__in=states, item__in=visible_items)
        .select_related("subject", "offering")
        .prefetch_related("facilitators", "subject__topics")
        .annotate(
            seats_taken=Count(
                "offering__enrollments",
                filter=Q(offering__enrollments__status__in=SEATED),
            )
        )
        .order_by("start_date", "title", "pk")
    )


def circle_get_visible_to(*, user: User, slug: str) -> Circle | None:
    """The circle if the person may see it, else None (callers answer 404, not 403).

    Learning admins see every circle; facilitators see their own drafts.
    """
    circles = Circle.objects.select_related("subject", "item", "offering").prefetch_related(
        "facilitators",
        Prefetch("plan", queryset=PlanWeek.objects.order_by("week")),
        Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at")),
    )
    if not is_learning_admin(user):
        rule = _visible_q(user)
        if user.is_authenticated:
            rule |= Q(facilitators=user)
        circles = circles.filter(rule).distinct()
    return circles.filter(slug=slug).first()


@dataclass
class Membership:
    """What a person is in a circle; each flag is the one rule the pages and services ask."""

    is_facilitator: bool
    is_admin: bool
    enrollment: Enrollment | None
    waitlist_position: int | None

    @property
    def is_seated(self) -> bool:
        return self.enrollment is not None and self.enrollment.status in SEATED

    @property
    def is_member(self) -> bool:
        """A facilitator or a learner holding a seat: takes part in the discussion."""
        return self.is_facilitator or self.is_seated

    @property
    def can_read_discussion(self) -> bool:
        return self.is_member or self.is_admin

    @property
    def can_manage(self) -> bool:
        return self.is_facilitator or self.is_admin


def circle_membership(*, user: User, circle: Circle) -> Membership:
    if not user.is_authenticated:
        return Membership(False, False, None, None)
    is_facilitator = circle.facilitators.filter(pk=user.pk).exists()
    enrollment = enrollment_active_for_item(user=user, item=circle.item)
    if enrollment is None:
        # A seat kept after the circle: completed enrollments still count as members.
        enrollment = (
            Enrollment.objects.filter(
                user_id=user.pk, offering_id=circle.offering_id, status__in=SEATED
            )
            .order_by("-pk")
            .first()
        )
    return Membership(
        is_facilitator=is_facilitator,
        is_admin=is_learning_admin(user),
        enrollment=enrollment,
        waitlist_position=waitlist_position(enrollment=enrollment) if enrollment else None,
    )


def circle_member_users(*, circle: Circle) -> QuerySet[User]:
    """Facilitators and seated learners: who gets meeting emails and reads the discussion."""
    seated = Enrollment.objects.filter(offering_id=circle.offering_id, status__in=SEATED)
    return (
        User.objects.filter(Q(pk__in=seated.values("user_id")) | Q(facilitated_circles=circle))
        .filter(is_active=True)
        .distinct()
        .order_by("pk")
    )


def circle_seats_taken(*, circle: Circle) -> int:
    return Enrollment.objects.filter(offering_id=circle.offering_id, status__in=SEATED).count()


def interest_pending(*, user: User, subject) -> bool:
    return (
        user.is_authenticated
        and Interest.objects.filter(user=user, subject=subject, notified_at__isnull=True).exists()
    )


def meetings_upcoming(*, circle: Circle, now=None) -> list[Meeting]:
    now = now or timezone.now()
    return [m for m in circle.meetings.all() if m.ends_at > now]


def meeting_list_for_manage(*, circle: Circle) -> list[Meeting]:
    """The meetings with RSVP counts (`yes`, `no`) and a prefilled edit form's values."""
    meetings = list(
        circle.meetings.annotate(
            yes=Count("rsvps", filter=Q(rsvps__answer="yes")),
            no=Count("rsvps", filter=Q(rsvps__answer="no")),
            wrapped=Count("wrapup"),
        ).order_by("week")
    )
    now = timezone.now()
    for meeting in meetings:
        meeting.is_past = meeting.ends_at <= now
        meeting.has_started = meeting.starts_at <= now
        meeting.wrapped_up = bool(meeting.wrapped)
    return meetings


def thread_list_for(*, circle: Circle) -> QuerySet:
    """The circle's opened threads, by week, with `post_count` (visible posts)."""
    return circle.threads.annotate(
        post_count=Count(
            "posts", filter=Q(posts__hidden_at__isnull=True, posts__deleted_at__isnull=True)
        )
    ).order_by("week")


def thread_posts(*, thread) -> QuerySet:
    """Top-level posts, oldest first, with their replies and authors in two queries."""
    replies = Post.objects.select_related("author", "hidden_by").order_by("created_at", "pk")
    return (
        thread.posts.filter(parent__isnull=True)
        .select_related("author", "hidden_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "pk")
    )


def archive_list_visible_to(*, user: User, search: str = "") -> QuerySet[Circle]:
    """Circles with an archive the person may read: finished or archived, or running with
    a published wrap-up; `search` matches the title, the reading, summaries and insights."""
    published = Q(meetings__wrapup__published_at__isnull=False)
    circles = Circle.objects.filter(_visible_q(user)).filter(
        Q(state__in=ARCHIVE_STATES) | (Q(state=Circle.State.RUNNING) & published)
    )
    search = search.strip()
    if search:
        circles = circles.filter(
            Q(title__icontains=search)
            | Q(reading__icontains=search)
            | Q(subject__title__icontains=search)
            | Q(meetings__wrapup__published_at__isnull=False)
            & (
                Q(meetings__wrapup__summary__icontains=search)
                | Q(meetings__wrapup__insights__icontains=search)
            )
            | Q(quotes__text__icontains=search)
        )
    return (
        Circle.objects.filter(pk__in=circles.values("pk"))
        .select_related("subject")
        .order_by("-start_date", "title")
    )


@dataclass
class ArchiveWeek:
    week: PlanWeek
    meeting: Meeting | None
    wrapup: object | None
    quotes: list


def circle_archive_weeks(*, circle: Circle) -> list[ArchiveWeek]:
    """Per week of the plan: the meeting, its wrap-up if published, and consented quotes.

    Nothing here names anyone: summaries and insights are the facilitators', quotes carry no
    author.
    """
    meetings = {
        m.week: m
        for m in circle.meetings.select_related("wrapup").filter(wrapup__published_at__isnull=False)
    }
    quotes: dict[int, list] = {}
    for quote in circle.quotes.order_by("week", "created_at"):
        quotes.setdefault(quote.week, []).append(quote)
    weeks = []
    for week in circle.plan.order_by("week"):
        meeting = meetings.get(week.week)
        weeks.append(
            ArchiveWeek(
                week=week,
                meeting=meeting,
                wrapup=meeting.wrapup if meeting else None,
                quotes=quotes.get(week.week, []),
            )
        )
    return weeks


def attendance_for(*, user: User, circle: Circle) -> dict[int, bool]:
    """The person's own attendance, by week (only ever their own)."""
    rows = Attendance.objects.filter(user_id=user.pk, meeting__circle=circle)
    return dict(rows.values_list("meeting__week", "attended"))


@dataclass
class SurveyResults:
    """Aggregates only, and only over at least group_size_floor() answers (`shown`)."""

    answers: int
    shown: bool
    goal_met_average: float | None = None
    recommend_share: int | None = None
    facilitator_answers: int = 0
    facilitator_shown: bool = False
    facilitator_rating_average: float | None = None


def survey_results(*, circle: Circle) -> SurveyResults:
    learners = circle.learner_surveys.aggregate(
        n=Count("pk"), goal=Avg("goal_met"), yes=Count("pk", filter=Q(would_recommend=True))
    )
    facilitators = circle.facilitator_surveys.aggregate(n=Count("pk"), rating=Avg("rating"))
    results = SurveyResults(answers=learners["n"], shown=learners["n"] >= group_size_floor())
    if results.shown:
        results.goal_met_average = round(learners["goal"], 1)
        results.recommend_share = round(100 * learners["yes"] / learners["n"])
    results.facilitator_answers = facilitators["n"]
    results.facilitator_shown = facilitators["n"] >= group_size_floor()
    if results.facilitator_shown:
        results.facilitator_rating_average = round(facilitators["rating"], 1)
    return results


def circle_for_item(*, item: Item) -> Circle | None:
    """The circle whose catalog entry this is, once it is past the draft."""
    return Circle.objects.filter(item_id=item.pk).exclude(state=Circle.State.DRAFT).first()
