"""Demo badges and kudos, on top of the demo people and circles, for a newcomer to see them.

Badges are defined as a learning admin would, then awarded by the sweep from the demo's
real enrollments, attendance and wrap-ups; kudos go through the service.
"""

from django.db import transaction

from circles.models import Circle
from circles.selectors import circle_member_users
from people.models import User

from . import services
from .models import BadgeClass, Kudos

BADGES = [
    (
        "First steps",
        "Chose elective learning: enrolled in a course, a session or a circle of their own accord.",
        BadgeClass.Criterion.FIRST_ELECTIVE_ENROLLMENT,
        1,
    ),
    (
        "Circle regular",
        "Came back week after week: attended three meetings of a learning circle.",
        BadgeClass.Criterion.ATTENDED_MEETINGS,
        3,
    ),
    (
        "Circle facilitator",
        "Led a learning circle and held its meetings.",
        BadgeClass.Criterion.FACILITATED_CIRCLE,
        1,
    ),
    (
        "Summary writer",
        "Wrote up a meeting's summary for the circle's archive.",
        BadgeClass.Criterion.PUBLISHED_SUMMARY,
        1,
    ),
    (
        "Theme explorer",
        "Completed three items of one monthly theme.",
        BadgeClass.Criterion.THEME_ITEMS_COMPLETED,
        3,
    ),
]


def seed_recognition() -> tuple[int, int]:
    """The demo badges, their awards and a few kudos. Returns (awards, kudos)."""
    with transaction.atomic():
        for name, description, criterion, threshold in BADGES:
            BadgeClass.objects.get_or_create(
                slug=name.lower().replace(" ", "-"),
                defaults={
                    "name": name,
                    "description": description,
                    "criterion": criterion,
                    "threshold": threshold,
                },
            )
    awards = services.badge_awards_sweep()
    kudos = 0
    circle = Circle.objects.filter(state=Circle.State.RUNNING).order_by("pk").first()
    employee = User.objects.filter(email="employee@example.com").first()
    if circle is None or employee is None:
        return awards, kudos
    members = [m for m in circle_member_users(circle=circle) if m != employee]
    facilitator = circle.facilitators.first()
    learners = [m for m in members if m != facilitator]
    if facilitator and facilitator != employee:
        thanks = services.kudos_give(
            sender=employee,
            recipient=facilitator,
            circle=circle,
            value=Kudos.Value.GREAT_FACILITATION,
            message="You kept us on time and still let everyone speak. Thank you!",
        )
        services.kudos_share(kudos=thanks, user=facilitator, shared=True)
        kudos += 1
    if learners:
        services.kudos_give(
            sender=learners[0],
            recipient=employee,
            circle=circle,
            value=Kudos.Value.SHARED_INSIGHT,
            message="Your handover example made 'safe is risky' real for me.",
        )
        kudos += 1
    return awards, kudos
