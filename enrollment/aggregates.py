"""Aggregate reads over enrollments, for suggestions and reporting.

Every function here answers "how many people", never "who": callers show the numbers only
for groups of at least learning_portal.core.privacy.MIN_GROUP_SIZE people.
"""

from datetime import datetime

from django.db.models import Count, Q

from .models import Enrollment

ENGAGED_STATUSES = (
    Enrollment.Status.ENROLLED,
    Enrollment.Status.WAITLISTED,
    Enrollment.Status.COMPLETED,
)


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
