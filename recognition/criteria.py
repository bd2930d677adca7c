"""What earns each badge, checked against the portal's own records.

Each rule answers "who meets it, and what is the evidence?" for a few people (after a write
that may have earned them a badge) or for everyone (the sweep). The records are read, never
written: attendance and wrap-ups belong to circles, enrollments to enrollment, themes to
themes. "Elective" means the person chose it: an enrollment an admin made for someone is
not counted.
"""

from collections.abc import Iterable

from django.db.models import Count, Q

from circles.models import Attendance, Circle, Wrapup
from enrollment.models import Enrollment, Source
from themes.models import ThemeItem

from .models import BadgeClass

Evidence = dict[int, str]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _users(queryset, field: str, user_ids: Iterable[int] | None):
    return queryset if user_ids is None else queryset.filter(**{f"{field}__in": list(user_ids)})


def _attended_meetings(badge: BadgeClass, user_ids) -> Evidence:
    rows = Attendance.objects.filter(attended=True, meeting__status="scheduled")
    if badge.circle_id:
        rows = rows.filter(meeting__circle_id=badge.circle_id)
    rows = (
        _users(rows, "user_id", user_ids)
        .values("user_id", "meeting__circle_id", "meeting__circle__title")
        .annotate(meetings=Count("meeting", distinct=True))
        .filter(meetings__gte=badge.threshold)
        .order_by("user_id", "-meetings", "meeting__circle_id")
    )
    evidence: Evidence = {}
    for row in rows:
        evidence.setdefault(
            row["user_id"],
            f"Attended {_count(row['meetings'], 'meeting')} of “{row['meeting__circle__title']}”.",
        )
    return evidence


def _facilitated_circle(badge: BadgeClass, user_ids) -> Evidence:
    circles = Circle.objects.filter(meetings__wrapup__held=True)
    if badge.circle_id:
        circles = circles.filter(pk=badge.circle_id)
    links = Circle.facilitators.through.objects.filter(circle__in=circles.values("pk"))
    rows = _users(links, "user_id", user_ids).values("user_id", "circle__title").order_by("pk")
    evidence: Evidence = {}
    for row in rows:
        evidence.setdefault(row["user_id"], f"Facilitated “{row['circle__title']}”.")
    return evidence


def _published_summary(badge: BadgeClass, user_ids) -> Evidence:
    wrapups = Wrapup.objects.filter(published_at__isnull=False, recorded_by__isnull=False).exclude(
        summary=""
    )
    if badge.circle_id:
        wrapups = wrapups.filter(meeting__circle_id=badge.circle_id)
    rows = (
        _users(wrapups, "recorded_by_id", user_ids)
        .values("recorded_by_id", "meeting__week", "meeting__circle__title")
        .order_by("published_at", "pk")
    )
    evidence: Evidence = {}
    for row in rows:
        evidence.setdefault(
            row["recorded_by_id"],
            f"Published the summary of week {row['meeting__week']} of "
            f"“{row['meeting__circle__title']}”.",
        )
    return evidence


def _elective() -> Q:
    return ~Q(source=Source.ADMIN)


def _theme_items_completed(badge: BadgeClass, user_ids) -> Evidence:
    entries = ThemeItem.objects.all()
    if badge.theme_id:
        entries = entries.filter(theme_id=badge.theme_id)
    completions = Enrollment.objects.filter(_elective(), status=Enrollment.Status.COMPLETED)
    rows = (
        _users(completions, "user_id", user_ids)
        .filter(item__theme_entries__in=entries)
        .values("user_id", "item__theme_entries__theme__title")
        .annotate(items=Count("item", distinct=True))
        .filter(items__gte=badge.threshold)
        .order_by("user_id", "-items")
    )
    evidence: Evidence = {}
    for row in rows:
        theme = row["item__theme_entries__theme__title"]
        evidence.setdefault(
            row["user_id"], f"Completed {_count(row['items'], 'item')} of the theme “{theme}”."
        )
    return evidence


def _first_elective_enrollment(badge: BadgeClass, user_ids) -> Evidence:
    enrollments = Enrollment.objects.filter(_elective(), enrolled_at__isnull=False)
    rows = _users(enrollments, "user_id", user_ids).values("user_id", "item__title")
    evidence: Evidence = {}
    for row in rows.order_by("enrolled_at", "pk"):
        evidence.setdefault(row["user_id"], f"Enrolled in “{row['item__title']}”.")
    return evidence


RULES = {
    BadgeClass.Criterion.ATTENDED_MEETINGS: _attended_meetings,
    BadgeClass.Criterion.FACILITATED_CIRCLE: _facilitated_circle,
    BadgeClass.Criterion.PUBLISHED_SUMMARY: _published_summary,
    BadgeClass.Criterion.THEME_ITEMS_COMPLETED: _theme_items_completed,
    BadgeClass.Criterion.FIRST_ELECTIVE_ENROLLMENT: _first_elective_enrollment,
}


def qualifying(badge: BadgeClass, *, user_ids: Iterable[int] | None = None) -> Evidence:
    """Who meets the badge's rule (among `user_ids`, or everyone), each with the evidence."""
    return RULES[badge.criterion](badge, user_ids)
