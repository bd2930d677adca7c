"""Enrollment under real concurrency: parallel PostgreSQL connections, one per thread.

The server's max_connections (100) is shared with other test databases, so 100 enrollers
run on a pool of at most 25 threads, each with its own connection. Workers wait on a start
signal so they contend together, and close their connection when they finish.
"""

import pytest
from django.test import Client

from enrollment import services
from enrollment.models import Enrollment, Source, TranscriptEvent
from enrollment.selectors import waitlist_position
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.helpers import run_concurrently
from tests.people.factories import EmployeeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def people(n):
    return [EmployeeFactory().user for _ in range(n)]


def test_hundred_concurrent_enrollers_for_ten_seats_fill_seats_then_waitlist_in_order():
    offering = OfferingFactory(capacity=10)
    users = people(100)

    results, errors = run_concurrently([lambda u=u: enroll(u, offering) for u in users])

    assert errors == []
    assert len({r.pk for r in results}) == 100
    seated = Enrollment.objects.filter(offering=offering, status="enrolled")
    waiting = list(
        Enrollment.objects.filter(offering=offering, status="waitlisted").order_by(
            "waitlisted_at", "pk"
        )
    )
    assert seated.count() == 10
    assert len(waiting) == 90
    # Arrival order is lock order: every seat was taken before anyone was waitlisted, and
    # the waitlist times are strictly increasing, so positions are 1..90 without ties.
    assert max(e.enrolled_at for e in seated) < waiting[0].waitlisted_at
    times = [e.waitlisted_at for e in waiting]
    assert all(a < b for a, b in zip(times, times[1:], strict=False))
    assert [waitlist_position(enrollment=e) for e in waiting] == list(range(1, 91))
    assert TranscriptEvent.objects.filter(kind="registered").count() == 10
    assert TranscriptEvent.objects.filter(kind="waitlisted").count() == 90


def test_one_person_submitting_ten_times_at_once_gets_one_session_enrollment():
    offering = OfferingFactory(capacity=5)
    (user,) = people(1)

    results, errors = run_concurrently([lambda: enroll(user, offering)] * 10)

    assert errors == []
    assert {r.pk for r in results} == {Enrollment.objects.get(user=user).pk}
    assert TranscriptEvent.objects.filter(user=user).count() == 1


def test_one_person_submitting_ten_times_at_once_gets_one_self_paced_enrollment():
    # No row lock for self-paced items: the unique constraint decides, and the losers get
    # the winner's enrollment instead of an error.
    item = ItemFactory()
    (user,) = people(1)

    results, errors = run_concurrently([lambda: enroll(user, item=item)] * 10)

    assert errors == []
    assert {r.pk for r in results} == {Enrollment.objects.get(user=user).pk}
    assert TranscriptEvent.objects.filter(user=user).count() == 1


def test_concurrent_submits_to_two_sessions_of_one_item_leave_one_place():
    first = OfferingFactory(capacity=5)
    second = OfferingFactory(item=first.item, capacity=5)
    (user,) = people(1)

    calls = [lambda: enroll(user, first), lambda: enroll(user, second)] * 5
    results, errors = run_concurrently(calls)

    assert Enrollment.objects.filter(user=user).count() == 1
    assert all(r is None or r.user_id == user.pk for r in results)
    assert {type(e).__name__ for e in errors} <= {"ValidationError"}


def test_k_concurrent_withdrawals_promote_exactly_k_people_in_order():
    offering = OfferingFactory(capacity=10)
    seated = [enroll(u, offering) for u in people(10)]
    waiting = [enroll(u, offering) for u in people(20)]
    k = 7

    _, errors = run_concurrently(
        [lambda e=e: services.enrollment_withdraw(enrollment=e, actor=e.user) for e in seated[:k]]
    )

    assert errors == []
    assert Enrollment.objects.filter(offering=offering, status="enrolled").count() == 10
    assert TranscriptEvent.objects.filter(kind="promoted").count() == k
    promoted = set(
        Enrollment.objects.filter(offering=offering, status="enrolled").values_list("pk", flat=True)
    )
    assert {e.pk for e in waiting[:k]} <= promoted
    assert not {e.pk for e in waiting[k:]} & promoted


def test_concurrent_withdrawals_and_capacity_rise_never_overfill():
    offering = OfferingFactory(capacity=5)
    seated = [enroll(u, offering) for u in people(5)]
    [enroll(u, offering) for u in people(15)]

    calls = [
        lambda e=e: services.enrollment_withdraw(enrollment=e, actor=e.user) for e in seated[:3]
    ]
    calls.append(lambda: services.offering_set_capacity(offering=offering, capacity=8, actor=None))
    _, errors = run_concurrently(calls)

    assert errors == []
    assert Enrollment.objects.filter(offering=offering, status="enrolled").count() == 8
    assert TranscriptEvent.objects.filter(kind="promoted").count() == 6


def test_concurrent_enrollments_through_the_view_show_nobody_an_error_page():
    offering = OfferingFactory(capacity=5)
    url = f"/learning/{offering.item.slug}/enroll/?session={offering.pk}"
    clients = []
    for user in people(20):
        client = Client()
        client.force_login(user)
        clients.append(client)

    responses, errors = run_concurrently(
        [lambda c=c: c.post(url, {"source": Source.WIDGET_EMPLOYEE}) for c in clients]
    )

    assert errors == []
    assert [r.status_code for r in responses] == [302] * 20
    assert Enrollment.objects.filter(offering=offering, status="enrolled").count() == 5
    assert Enrollment.objects.filter(offering=offering, status="waitlisted").count() == 15
    assert set(Enrollment.objects.values_list("source", flat=True)) == {Source.WIDGET_EMPLOYEE}
