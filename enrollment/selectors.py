"""Reads over enrollments and the transcript, with the rules that decide who sees what.

Everything here is about one person's own record (`user=`), except the roster reads, which
are for learning admins in the admin site. No function takes another person's id from a URL.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet, TextChoices
from django.utils import timezone

from catalog.models import Item, Offering
from catalog.selectors import item_get_published_visible, item_list_visible_to
from catalog.sessions import sessions_ahead
from people.models import User

from .aggregates import ENGAGED_STATUSES
from .models import ACTIVE_STATUSES, Enrollment, SavedItem, SessionInterest, TranscriptEvent

SEATED = (Enrollment.Status.ENROLLED, Enrollment.Status.COMPLETED)


@functools.cache
def _engaged_item_ids_sql() -> str:
    statuses = ", ".join(["%s"] * len(ENGAGED_STATUSES))
    table = connection.ops.quote_name(Enrollment._meta.db_table)
    return f"SELECT item_id FROM {table} WHERE user_id = %s AND status IN ({statuses})"


def engaged_item_ids_sql(*, user_id: int) -> tuple[str, list]:
    """The items a person enrolled in, is waitlisted for or completed, as SQL and parameters.

    One column, `item_id`. For a caller that must answer several small reads in one
    statement (the widget's personal UNION, on every intranet page view), where compiling
    a queryset would cost more than the query: the statement is built once per process.
    """
    return _engaged_item_ids_sql(), [user_id, *[status.value for status in ENGAGED_STATUSES]]


def item_get_enrollable(*, user: User, slug: str) -> Item | None:
    """The item if the person may enroll in it (see `item_is_enrollable_by`), else None.

    The item remembers whom it was checked for, so the service called next in the same
    request does not run the visibility query a second time.
    """
    item = item_get_published_visible(user=user, slug=slug)
    if item is not None:
        item._enrollable_by_user_id = user.pk
    return item


def item_is_enrollable_by(*, user: User, item: Item) -> bool:
    """Published and in the person's audience: nobody enrolls in what they cannot see."""
    if user.pk is not None and getattr(item, "_enrollable_by_user_id", None) == user.pk:
        return True
    return item_list_visible_to(user=user).filter(pk=item.pk).exists()


def enrollment_get_own(*, user: User, pk: int) -> Enrollment | None:
    """The person's own enrollment; None for anyone else's, so views answer 404."""
    return (
        Enrollment.objects.select_related("item", "offering").filter(user_id=user.pk, pk=pk).first()
    )


def enrollment_active_for_item(*, user: User, item: Item) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrollment.objects.select_related("offering")
        .filter(user_id=user.pk, item=item, status__in=ACTIVE_STATUSES)
        .first()
    )


def waitlist_position(*, enrollment: Enrollment) -> int | None:
    """1 for the first in line (FIFO by waitlisted_at, then id); None when not waitlisted."""
    if enrollment.status != Enrollment.Status.WAITLISTED:
        return None
    ahead = Enrollment.objects.filter(
        Q(waitlisted_at__lt=enrollment.waitlisted_at)
        | Q(waitlisted_at=enrollment.waitlisted_at, pk__lt=enrollment.pk),
        offering_id=enrollment.offering_id,
        status=Enrollment.Status.WAITLISTED,
    ).count()
    return ahead + 1


def offering_waitlist_length(*, offering: Offering) -> int:
    return Enrollment.objects.filter(offering=offering, status=Enrollment.Status.WAITLISTED).count()


def offering_seats_taken(*, offering: Offering) -> int:
    return Enrollment.objects.filter(offering=offering, status__in=SEATED).count()


def offering_list_open_for_item(*, item: Item, now=None) -> list[Offering]:
    """Upcoming, scheduled sessions of the item with `seats_taken` and `seats_left` set."""
    now = now or timezone.now()
    offerings = list(
        sessions_ahead(now)
        .filter(item=item)
        .annotate(seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEATED)))
        .order_by("starts_at", "pk")
    )
    for offering in offerings:
        offering.seats_left = (
            None if offering.capacity is None else max(offering.capacity - offering.seats_taken, 0)
        )
        offering.enrollment_open = offering.is_enrollment_open(now)
        offering.enrollment_not_yet_open = offering.enrollment_opens_later(now)
    return offerings


def offering_list_switch_targets(*, enrollment: Enrollment) -> list[Offering]:
    """The sessions of the enrollment's item it may switch to: open now, and not its own."""
    return [
        offering
        for offering in offering_list_open_for_item(item=enrollment.item)
        if offering.pk != enrollment.offering_id and offering.enrollment_open
    ]


def enrollment_outcome_preview(
    *, offering: Offering | None, existing: Enrollment | None
) -> tuple[str, int | None]:
    """What enrolling would do now, for the confirmation page, and the place in line if any.

    The outcome is "already", "cancelled", "closed", "full", "waitlist" or "seat", by the
    rules `services.enrollment_create` applies. Read without a lock, so it is a preview:
    the service decides for real when the person confirms.
    """
    if existing is not None:
        return "already", None
    if offering is None:
        return "seat", None
    if offering.status == Offering.Status.CANCELLED:
        return "cancelled", None
    if not offering.is_enrollment_open():
        return "closed", None
    if (
        offering.capacity is not None
        and offering_seats_taken(offering=offering) >= offering.capacity
    ):
        if not offering.waitlist_enabled:
            return "full", None
        return "waitlist", offering_waitlist_length(offering=offering) + 1
    return "seat", None


@dataclass
class ItemActions:
    """What the item page offers the person: their place, the sessions, save and notify."""

    enrollment: Enrollment | None
    waitlist_position: int | None
    offerings: list[Offering]
    is_saved: bool
    wants_session_notice: bool


def item_actions_for(*, user: User, item: Item) -> ItemActions:
    enrollment = enrollment_active_for_item(user=user, item=item)
    offerings = [] if item.is_self_paced else offering_list_open_for_item(item=item)
    signed_in = user.is_authenticated
    return ItemActions(
        enrollment=enrollment,
        waitlist_position=waitlist_position(enrollment=enrollment) if enrollment else None,
        offerings=offerings,
        is_saved=signed_in and SavedItem.objects.filter(user_id=user.pk, item=item).exists(),
        wants_session_notice=signed_in
        and SessionInterest.objects.filter(
            user_id=user.pk, item=item, notified_at__isnull=True
        ).exists(),
    )


@dataclass
class MyLearning:
    upcoming_sessions: list[Enrollment] = field(default_factory=list)
    in_progress: list[Enrollment] = field(default_factory=list)
    awaiting_attendance: list[Enrollment] = field(default_factory=list)
    waitlisted: list[Enrollment] = field(default_factory=list)
    completed: list[Enrollment] = field(default_factory=list)
    saved: list[SavedItem] = field(default_factory=list)
    session_requests: list[SessionInterest] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.upcoming_sessions,
                self.in_progress,
                self.awaiting_attendance,
                self.waitlisted,
                self.completed,
                self.saved,
                self.session_requests,
            )
        )


def my_learning_for(*, user: User, now=None) -> MyLearning:
    """The person's own learning, grouped for the My learning page."""
    now = now or timezone.now()
    page = MyLearning()
    enrollments = (
        Enrollment.objects.filter(user_id=user.pk, status__in=ENGAGED_STATUSES)
        .select_related("item", "offering")
        .order_by("created_at", "pk")
    )
    for enrollment in enrollments:
        if enrollment.status == Enrollment.Status.COMPLETED:
            page.completed.append(enrollment)
        elif enrollment.status == Enrollment.Status.WAITLISTED:
            enrollment.position = waitlist_position(enrollment=enrollment)
            page.waitlisted.append(enrollment)
        elif enrollment.offering_id is None:
            page.in_progress.append(enrollment)
        elif enrollment.offering.ends_at > now:
            page.upcoming_sessions.append(enrollment)
        else:
            page.awaiting_attendance.append(enrollment)
    page.upcoming_sessions.sort(key=lambda e: e.offering.starts_at)
    page.waitlisted.sort(key=lambda e: e.offering.starts_at)
    page.completed.sort(key=lambda e: e.completed_at, reverse=True)
    visible = item_list_visible_to(user=user).values("pk")
    page.saved = list(
        SavedItem.objects.filter(user_id=user.pk, item__in=visible).select_related("item")
    )
    page.session_requests = list(
        SessionInterest.objects.filter(
            user_id=user.pk, notified_at__isnull=True, item__in=visible
        ).select_related("item")
    )
    return page


def transcript_events_for(*, user: User) -> QuerySet[TranscriptEvent]:
    """The person's own transcript, oldest first."""
    return (
        TranscriptEvent.objects.filter(user_id=user.pk)
        .select_related("item", "offering", "actor")
        .order_by("occurred_at", "pk")
    )


def offering_roster(*, offering: Offering) -> dict[str, list[Enrollment]]:
    """For learning admins: who holds a seat, who attended, and the waitlist in order."""
    rows = (
        Enrollment.objects.filter(offering=offering)
        .select_related("user", "user__employee")
        .order_by("enrolled_at", "pk")
    )
    roster = {"enrolled": [], "attended": [], "waitlist": [], "left": []}
    for enrollment in rows:
        if enrollment.status == Enrollment.Status.ENROLLED:
            roster["enrolled"].append(enrollment)
        elif enrollment.status == Enrollment.Status.COMPLETED:
            roster["attended"].append(enrollment)
        elif enrollment.status == Enrollment.Status.WAITLISTED:
            roster["waitlist"].append(enrollment)
        else:
            roster["left"].append(enrollment)
    roster["waitlist"].sort(key=lambda e: (e.waitlisted_at, e.pk))
    return roster


def offering_seats_left(*, offerings: QuerySet[Offering]) -> dict[int, int | None]:
    """Free seats per offering id (None: no limit), counted in one query for the whole set.

    Seats are held by SEATED statuses, the same rule enrollment uses when it admits people.
    """
    taken = offerings.annotate(
        seats_taken=Count("enrollments", filter=Q(enrollments__status__in=SEATED))
    ).values_list("pk", "capacity", "seats_taken")
    return {
        pk: None if capacity is None else max(capacity - seats_taken, 0)
        for pk, capacity, seats_taken in taken
    }


class RosterWindow(TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    RECENT = "recent", "Last 30 days and upcoming"
    PAST = "past", "Past"
    ALL = "all", "All"


def offering_list_for_rosters(
    *, term: str = "", window: str = RosterWindow.RECENT, status: str = "", now=None
) -> QuerySet[Offering]:
    """For learning admins: sessions with their seat, attendance and waitlist counts, found
    by the item's or session's title, in a window of time and a status; soonest first
    (most recent first for the past)."""
    now = now or timezone.now()
    offerings = Offering.objects.select_related("item")
    if window == RosterWindow.UPCOMING:
        offerings = offerings.filter(starts_at__gte=now)
    elif window == RosterWindow.RECENT:
        offerings = offerings.filter(starts_at__gte=now - dt.timedelta(days=30))
    elif window == RosterWindow.PAST:
        offerings = offerings.filter(starts_at__lt=now)
    if status:
        offerings = offerings.filter(status=status)
    if term:
        offerings = offerings.filter(Q(item__title__icontains=term) | Q(title__icontains=term))
    order = ["-starts_at", "-pk"] if window == RosterWindow.PAST else ["starts_at", "pk"]
    return offerings.annotate(
        seated=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.ENROLLED)),
        attended=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.COMPLETED)),
        waiting=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)),
    ).order_by(*order)
