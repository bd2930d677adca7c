"""Signing up for a circle under real concurrency: parallel PostgreSQL connections."""

import pytest

from circles import services
from enrollment.models import Enrollment, TranscriptEvent
from enrollment.selectors import waitlist_position
from tests.circles.factories import make_circle
from tests.helpers import run_concurrently
from tests.people.factories import EmployeeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_people_joining_a_six_seat_circle_at_once_fill_six_seats_then_the_waitlist():
    circle = make_circle(state="open", seat_cap=6)
    users = [EmployeeFactory().user for _ in range(20)]

    results, errors = run_concurrently(
        [lambda u=u: services.circle_join(user=u, circle=circle) for u in users]
    )

    assert errors == []
    assert len({r.pk for r in results}) == 20
    seated = Enrollment.objects.filter(offering=circle.offering, status="enrolled")
    waiting = list(
        Enrollment.objects.filter(offering=circle.offering, status="waitlisted").order_by(
            "waitlisted_at", "pk"
        )
    )
    assert seated.count() == 6
    assert [waitlist_position(enrollment=e) for e in waiting] == list(range(1, 15))
    assert TranscriptEvent.objects.filter(kind="registered", source="circle").count() == 6
    assert TranscriptEvent.objects.filter(kind="waitlisted", source="circle").count() == 14


def test_five_leavers_at_once_promote_five_people_each_exactly_once():
    circle = make_circle(state="open", seat_cap=6)
    users = [EmployeeFactory().user for _ in range(12)]
    for user in users:
        services.circle_join(user=user, circle=circle)
    leavers, waiting = users[:5], users[6:]

    _, errors = run_concurrently(
        [lambda u=u: services.circle_leave(user=u, circle=circle) for u in leavers]
    )

    assert errors == []
    assert Enrollment.objects.filter(offering=circle.offering, status="enrolled").count() == 6
    promoted = TranscriptEvent.objects.filter(kind="promoted")
    assert sorted(promoted.values_list("user_id", flat=True)) == [u.pk for u in waiting[:5]]
    assert Enrollment.objects.get(user=waiting[5]).status == "waitlisted"
