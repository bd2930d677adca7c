"""Aggregate reads over circles' attendance and membership, for reporting (insights).

Every function answers "how many people" or gives ids for counting only; callers show the
numbers for groups of at least MIN_GROUP_SIZE people and never list anyone.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth

from enrollment.aggregates import STARTED_AT
from enrollment.models import Enrollment
from enrollment.selectors import SEATED

from .models import Attendance, Circle, Meeting


def attendance_by_person_month(*, since: datetime, until: datetime) -> list[tuple[int, datetime]]:
    """(user_id, month) for each month in [since, until) a person was at a circle meeting."""
    rows = (
        Attendance.objects.filter(
            attended=True, meeting__starts_at__gte=since, meeting__starts_at__lt=until
        )
        .annotate(month=TruncMonth("meeting__starts_at"))
        .values_list("user_id", "month")
        .distinct()
    )
    return list(rows)


@dataclass(frozen=True)
class Participation:
    """Learners in circles that met in a period: who took part, stayed, came back."""

    participants: int  # seated learners of circles with a meeting held in the period
    retained: int  # of them, at their circle's meetings at least half the time
    repeat: int  # of them, seated in at least two circles (joined by the period's end)


def circle_participation(*, since: datetime, until: datetime) -> Participation:
    """Learners (not facilitators) of circles with a meeting held in [since, until).

    A meeting is held when it is not cancelled and has started. A learner is retained in a
    circle when recorded at no fewer than half of its held meetings (of all its meetings,
    not only those in the period); a person in several circles counts once, retained if
    retained in any.
    """
    held = Meeting.objects.exclude(status=Meeting.Status.CANCELLED).filter(starts_at__lt=until)
    circle_ids = set(
        held.filter(starts_at__gte=since).values_list("circle_id", flat=True).distinct()
    )
    if not circle_ids:
        return Participation(0, 0, 0)
    meetings_held = dict(
        held.filter(circle_id__in=circle_ids)
        .values("circle_id")
        .annotate(n=Count("id"))
        .values_list("circle_id", "n")
    )
    offering_to_circle = dict(
        Circle.objects.filter(pk__in=circle_ids).values_list("offering_id", "pk")
    )
    seated = Enrollment.objects.filter(
        offering_id__in=list(offering_to_circle), status__in=SEATED
    ).values_list("user_id", "offering_id")
    members: dict[int, set[int]] = defaultdict(set)
    for user_id, offering_id in seated:
        members[offering_to_circle[offering_id]].add(user_id)
    attended = Counter(
        Attendance.objects.filter(
            attended=True, meeting__in=held.filter(circle_id__in=circle_ids)
        ).values_list("meeting__circle_id", "user_id")
    )
    participants: set[int] = set()
    retained: set[int] = set()
    for circle_id, user_ids in members.items():
        needed = meetings_held.get(circle_id, 0) / 2
        for user_id in user_ids:
            participants.add(user_id)
            if attended[(circle_id, user_id)] >= needed:
                retained.add(user_id)
    # Seats in any circle taken before the period's end (a circle starting later counts:
    # the person chose to come back).
    circles_per_person = Counter(
        Enrollment.objects.annotate(started=STARTED_AT)
        .filter(
            offering_id__in=Circle.objects.values("offering_id"),
            status__in=SEATED,
            user_id__in=participants,
            started__lt=until,
        )
        .values_list("user_id", flat=True)
    )
    repeat = sum(1 for user_id in participants if circles_per_person[user_id] >= 2)
    return Participation(len(participants), len(retained), repeat)
