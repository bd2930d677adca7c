"""Aggregate reads over enrollments, for suggestions and reporting.

Every function here answers "how many people", never "who": callers show the numbers only
for groups of at least learning_portal.core.privacy.MIN_GROUP_SIZE people.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncMonth

from .models import Enrollment, Source

ENGAGED_STATUSES = (
    Enrollment.Status.ENROLLED,
    Enrollment.Status.WAITLISTED,
    Enrollment.Status.COMPLETED,
)
# When a person took their place: the seat, else the waitlist place, else the row itself.
STARTED_AT = Coalesce("enrolled_at", "waitlisted_at", "created_at")
# An admin's "enroll someone" is not the person's own choice: for "elective learning
# people chose" it counts only once they complete it.
CHOSEN_SOURCES_Q = ~Q(source=Source.ADMIN)
WIDGET_SOURCES = (Source.WIDGET_MANAGER, Source.WIDGET_EMPLOYEE)


def department_item_popularity(
    *, department_id: int, since: datetime, limit: int = 50
) -> dict[int, int]:
    """Item → number of people in the department who enrolled since `since`."""
    rows = (
        Enrollment.objects.filter(
            user__employee__department_id=department_id,
            created_at__gte=since,
            status__in=ENGAGED_STATUSES,
        )
        .values("item_id")
        .annotate(people=Count("user_id", distinct=True))
        .order_by("-people", "item_id")[:limit]
    )
    return {row["item_id"]: row["people"] for row in rows}


def team_topic_interest(*, user_ids, since: datetime, min_people: int) -> dict[int, int]:
    """Topic → number of the given people who enrolled in an item of that topic since `since`.

    Topics explored by fewer than `min_people` are left out, so a single person's choice is
    never singled out.
    """
    rows = (
        Enrollment.objects.filter(
            user_id__in=user_ids, created_at__gte=since, status__in=ENGAGED_STATUSES
        )
        .values("item__topics")
        .annotate(people=Count("user_id", distinct=True))
        .filter(item__topics__isnull=False, people__gte=min_people)
    )
    return {row["item__topics"]: row["people"] for row in rows}


def teams_topic_interest(*, since: datetime, min_people: int) -> dict[int, dict[int, int]]:
    """`team_topic_interest` for every team at once, in one query: manager (employee id) →
    topic → number of their active direct reports who enrolled in an item of that topic since
    `since`, with topics explored by fewer than `min_people` left out."""
    rows = (
        Enrollment.objects.filter(
            created_at__gte=since,
            status__in=ENGAGED_STATUSES,
            user__is_active=True,
            user__employee__manager__isnull=False,
        )
        .values("user__employee__manager_id", "item__topics")
        .annotate(people=Count("user_id", distinct=True))
        .filter(item__topics__isnull=False, people__gte=min_people)
    )
    teams: dict[int, dict[int, int]] = {}
    for row in rows:
        teams.setdefault(row["user__employee__manager_id"], {})[row["item__topics"]] = row["people"]
    return teams


def people_enrolled_counts(*, user_ids, since_by_item: dict[int, datetime]) -> dict[int, int]:
    """Item → how many of the given people enrolled in it after the item's own `since`."""
    if not since_by_item:
        return {}
    window = Q()
    for item_id, since in since_by_item.items():
        window |= Q(item_id=item_id, created_at__gte=since)
    rows = (
        Enrollment.objects.filter(window, user_id__in=user_ids, status__in=ENGAGED_STATUSES)
        .values("item_id")
        .annotate(people=Count("user_id", distinct=True))
    )
    return {row["item_id"]: row["people"] for row in rows}


def chosen_enrollments_by_person_month(
    *, since: datetime, until: datetime
) -> list[tuple[int, datetime, int]]:
    """(user_id, month, enrollments) for places people took themselves in [since, until).

    A place counts while it is held, waitlisted or completed: one given up (withdrawn) or
    whose session was cancelled does not. Admin enrollments are left out (CHOSEN_SOURCES_Q).
    `month` is the first instant of the month in the current time zone.
    """
    rows = (
        Enrollment.objects.annotate(started=STARTED_AT)
        .filter(
            CHOSEN_SOURCES_Q, status__in=ENGAGED_STATUSES, started__gte=since, started__lt=until
        )
        .annotate(month=TruncMonth("started"))
        .values("user_id", "month")
        .annotate(n=Count("id"))
        .values_list("user_id", "month", "n")
    )
    return list(rows)


def completions_by_person_month(
    *, since: datetime, until: datetime
) -> list[tuple[int, datetime, int]]:
    """(user_id, month, completions) for completions in [since, until), whatever the source."""
    rows = (
        Enrollment.objects.filter(
            status=Enrollment.Status.COMPLETED, completed_at__gte=since, completed_at__lt=until
        )
        .annotate(month=TruncMonth("completed_at"))
        .values("user_id", "month")
        .annotate(n=Count("id"))
        .values_list("user_id", "month", "n")
    )
    return list(rows)


def widget_enrollments_by_month(*, since: datetime, until: datetime) -> dict[datetime, int]:
    """Month → enrollments whose source is the widget (either variant), in [since, until)."""
    rows = (
        Enrollment.objects.annotate(started=STARTED_AT)
        .filter(source__in=WIDGET_SOURCES, started__gte=since, started__lt=until)
        .annotate(month=TruncMonth("started"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return dict(rows)


def waitlist_joins_by_month(*, since: datetime, until: datetime) -> dict[datetime, int]:
    """Month → places taken on a waitlist in [since, until) (whatever became of them)."""
    rows = (
        Enrollment.objects.filter(waitlisted_at__gte=since, waitlisted_at__lt=until)
        .annotate(month=TruncMonth("waitlisted_at"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return dict(rows)


def waitlist_now() -> dict[str, int]:
    """People waiting now, and the sessions they wait for (each one full)."""
    waiting = Enrollment.objects.filter(status=Enrollment.Status.WAITLISTED).aggregate(
        people=Count("user_id", distinct=True), sessions=Count("offering_id", distinct=True)
    )
    return {"people": waiting["people"] or 0, "sessions": waiting["sessions"] or 0}


def people_enrolled_in_items(*, item_ids: Iterable[int], since: datetime, until: datetime) -> int:
    """How many people took a place themselves in any of the items in [since, until)."""
    return (
        Enrollment.objects.annotate(started=STARTED_AT)
        .filter(
            CHOSEN_SOURCES_Q,
            item_id__in=list(item_ids),
            status__in=ENGAGED_STATUSES,
            started__gte=since,
            started__lt=until,
        )
        .values("user_id")
        .distinct()
        .count()
    )


def first_enrollment_after(
    *, pairs: Iterable[tuple[int, int, datetime]]
) -> dict[tuple[int, int], datetime]:
    """(user_id, item_id) → when the person first took a place in the item after the given
    time, for each (user_id, item_id, after) asked about that has one."""
    pairs = list(pairs)
    if not pairs:
        return {}
    after = {(user_id, item_id): moment for user_id, item_id, moment in pairs}
    rows = (
        Enrollment.objects.annotate(started=STARTED_AT)
        .filter(
            CHOSEN_SOURCES_Q,
            user_id__in={user_id for user_id, _, _ in pairs},
            item_id__in={item_id for _, item_id, _ in pairs},
        )
        .values_list("user_id", "item_id", "started")
        .order_by("started")
    )
    found: dict[tuple[int, int], datetime] = {}
    for user_id, item_id, started in rows:
        key = (user_id, item_id)
        if key in after and key not in found and started >= after[key]:
            found[key] = started
    return found
