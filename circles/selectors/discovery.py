"""Which circles a person may see and join: the catalog entry's audience decides
(`catalog.visibility`), never a rule of our own; drafts are seen by their facilitators and
learning admins only. And what the widget says of a circle about to start."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from catalog.models import Item, Offering
from catalog.sessions import enrollment_open_q
from catalog.visibility import published_q, visible_items_q
from enrollment.selectors import SEATED
from people.models import User

from ..models import Circle, Meeting, PlanWeek

LISTED_STATES = (Circle.State.OPEN, Circle.State.RUNNING)
ARCHIVE_STATES = (Circle.State.FINISHED, Circle.State.ARCHIVED)


def is_learning_admin(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("circles.change_circle")


def circle_visible_q(user: User) -> Q:
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
    # Nearly every catalog item has no circle on it. Asked first in one small indexed query,
    # the visibility-checked list below (whose query building was half of the item page's
    # CPU: bench mixed_load) is only built for the few that do.
    if not Circle.objects.filter(subject=subject, state__in=LISTED_STATES).exists():
        return []
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
        rule = circle_visible_q(user)
        if user.is_authenticated:
            rule |= Q(facilitators=user)
        circles = circles.filter(rule).distinct()
    return circles.filter(slug=slug).first()


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
