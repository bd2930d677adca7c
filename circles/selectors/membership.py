"""Who is in a circle: a seat in its session (an enrollment) or being one of its
facilitators, which opens the discussion and the meeting details; and the roster the
facilitators see."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from enrollment.models import Enrollment
from enrollment.selectors import SEATED, enrollment_active_for_item, waitlist_position
from people.models import User

from ..models import Circle, Interest
from .discovery import is_learning_admin


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
