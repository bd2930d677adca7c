"""Reads of circles with the rules that decide who sees what.

Who may see a circle is its catalog entry's audience (`catalog.visibility`), never a rule of
our own; drafts are seen by their facilitators and learning admins only. Membership, which
opens the discussion and the meeting details, is a seat in the circle's session (an
enrollment) or being one of its facilitators.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from catalog.models import Item, Offering
from catalog.sessions import enrollment_open_q
from catalog.visibility import published_q, visible_items_q
from enrollment.models import Enrollment
from enrollment.selectors import SEATED, enrollment_active_for_item, waitlist_position
from learning_portal.core.privacy import count_phrase
from people.models import User

from .models import Attendance, Circle, Interest, Meeting, PlanWeek, Post, visible_posts_q

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


def circle_list_joinable_on(*, user: User, subject: Item, now=None) -> list[Circle]:
    """Circles on a catalog item (a book, a course) the person could sign up for now, soonest
    first, each with `seats_left`: for the item's page."""
    now = now or timezone.now()
    circles = [
        circle
        for circle in circle_list_visible_to(user=user)
        .filter(subject=subject)
        .prefetch_related("plan")
        if circle.offering.is_enrollment_open(now)
    ]
    for circle in circles:
        circle.seats_left = max(circle.seat_cap - circle.seats_taken, 0)
    return circles


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

    @property
    def can_leave(self) -> bool:
        """A seat or waitlist place that may still be given up (enrollment's rule)."""
        return (
            self.enrollment is not None
            and self.enrollment.is_active
            and self.enrollment.can_withdraw()
        )


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


@dataclass(frozen=True)
class RosterEntry:
    """One person who signed up, as the facilitators see them: in, waiting, or gone."""

    user: User
    status: str  # an Enrollment.Status value
    since: datetime.datetime
    hope: str


def _place_since(enrollment: Enrollment) -> datetime.datetime:
    when = {
        Enrollment.Status.WAITLISTED: enrollment.waitlisted_at,
        Enrollment.Status.WITHDRAWN: enrollment.withdrawn_at,
    }.get(enrollment.status, enrollment.enrolled_at)
    return when or enrollment.created_at


def circle_roster(*, circle: Circle) -> list[RosterEntry]:
    """Everyone who signed up, by their latest place: the seated, then the waitlist in its
    order, then those who left (latest first), each with what they hoped to get from it."""
    latest: dict[int, Enrollment] = {}
    places = Enrollment.objects.filter(offering_id=circle.offering_id).select_related("user")
    for enrollment in places.order_by("created_at", "pk"):
        latest[enrollment.user_id] = enrollment
    hopes = dict(circle.signups.values_list("user_id", "hope"))
    entries = [
        RosterEntry(e.user, e.status, _place_since(e), hopes.get(e.user_id, ""))
        for e in latest.values()
    ]

    def having(*statuses):
        return sorted((r for r in entries if r.status in statuses), key=lambda r: r.since)

    seated = having(*SEATED)
    waiting = having(Enrollment.Status.WAITLISTED)
    left = having(Enrollment.Status.WITHDRAWN)[::-1]
    return [*seated, *waiting, *left]


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
        post_count=Count("posts", filter=visible_posts_q("posts__"))
    ).order_by("week")


def post_list_quotable(*, circle: Circle, week: int) -> QuerySet[Post]:
    """A week's posts the facilitators may quote in the archive: visible, and their author
    ticked "may be quoted"."""
    return Post.objects.filter(
        visible_posts_q(), thread__circle=circle, thread__week=week, may_quote=True
    ).order_by("created_at")


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


# "Got what they hoped for": a 4 or a 5 on the survey's 1–5 question.
GOAL_MET_AT_LEAST = 4


@dataclass(frozen=True)
class SurveyResults:
    """The end-of-circle surveys as facilitators and admins see them: how many people said
    yes, each count phrased by core.privacy.count_phrase, the team page's rule. A count is
    exact only when at least MIN_GROUP_SIZE answered each way, else a band; under
    MIN_COUNTED_GROUP_SIZE answers there is no figure at all. So neither an answer nor its
    complement ("all but one said yes") can be worked out, and no average pins anyone down.
    """

    answers: int
    goal_met: str | None = None
    recommend: str | None = None
    facilitator_answers: int = 0
    facilitate_again: str | None = None

    @property
    def shown(self) -> bool:
        return self.goal_met is not None


def survey_results(*, circle: Circle) -> SurveyResults:
    learners = circle.learner_surveys.aggregate(
        n=Count("pk"),
        goal_met=Count("pk", filter=Q(goal_met__gte=GOAL_MET_AT_LEAST)),
        recommend=Count("pk", filter=Q(would_recommend=True)),
    )
    facilitators = circle.facilitator_surveys.aggregate(
        n=Count("pk"), again=Count("pk", filter=Q(would_facilitate_again=True))
    )
    return SurveyResults(
        answers=learners["n"],
        goal_met=count_phrase(count=learners["goal_met"], group_size=learners["n"]),
        recommend=count_phrase(count=learners["recommend"], group_size=learners["n"]),
        facilitator_answers=facilitators["n"],
        facilitate_again=count_phrase(count=facilitators["again"], group_size=facilitators["n"]),
    )


@dataclass(frozen=True)
class CircleStart:
    """What a suggestion says of a circle: what it is on, and when it first meets."""

    subject: str
    starts_at: datetime.datetime
    timezone: str


def circle_starts_by_item(*, now: datetime.datetime) -> dict[int, CircleStart]:
    """Circles open for sign-up that have not met yet, by their catalog entry's id: for the
    widget's "A circle on Purple Cow starts Tuesday". One query."""
    signup_open = Offering.objects.filter(enrollment_open_q(now), starts_at__gt=now)
    rows = Circle.objects.filter(state=Circle.State.OPEN, offering__in=signup_open).values_list(
        "item_id", "subject__title", "offering__starts_at", "timezone"
    )
    return {item_id: CircleStart(*facts) for item_id, *facts in rows}


def circle_for_item(*, item: Item) -> Circle | None:
    """The circle whose catalog entry this is, once it is past the draft."""
    return Circle.objects.filter(item_id=item.pk).exclude(state=Circle.State.DRAFT).first()
