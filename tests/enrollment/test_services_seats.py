"""Enrollment services: withdrawing, promotion from the waitlist, and switching sessions."""

import datetime as dt

import pytest
from django.utils import timezone

from enrollment import services
from enrollment.models import Enrollment, TranscriptEvent
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.enrollment.factories import EnrollmentFactory
from tests.enrollment.helpers import assert_refused, enroll, kinds, person
from tests.people.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def test_withdrawing_a_seat_promotes_the_first_on_the_waitlist_and_emails_them(
    django_capture_on_commit_callbacks, mailoutbox
):
    offering = OfferingFactory(capacity=1)
    holder, first, second = person(), person(), person()
    seat = enroll(holder, offering)
    enroll(first, offering)
    enroll(second, offering)

    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_withdraw(enrollment=seat, actor=holder)

    seat.refresh_from_db()
    assert seat.status == Enrollment.Status.WITHDRAWN
    assert seat.withdrawn_at is not None
    assert Enrollment.objects.get(user=first).status == Enrollment.Status.ENROLLED
    assert Enrollment.objects.get(user=second).status == Enrollment.Status.WAITLISTED
    assert kinds(holder) == ["registered", "withdrew"]
    assert kinds(first) == ["waitlisted", "promoted"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([holder.email, first.email])


def test_withdrawing_a_waitlist_place_promotes_nobody():
    offering = OfferingFactory(capacity=1)
    enroll(person(), offering)
    waiting = enroll(person(), offering)
    behind = enroll(person(), offering)

    services.enrollment_withdraw(enrollment=waiting, actor=waiting.user)

    behind.refresh_from_db()
    assert behind.status == Enrollment.Status.WAITLISTED


def test_withdrawing_after_the_session_started_is_refused():
    started = OfferingFactory(
        starts_at=timezone.now() - dt.timedelta(minutes=5),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    enrollment = EnrollmentFactory(offering=started)

    assert_refused(
        services.WITHDRAW_TOO_LATE,
        lambda: services.enrollment_withdraw(enrollment=enrollment, actor=enrollment.user),
    )


@pytest.mark.parametrize(
    "finish",
    [services.enrollment_withdraw, services.enrollment_complete],
    ids=["withdrawing_twice", "withdrawing_a_completed_self_paced_item"],
)
def test_withdrawing_an_enrollment_no_longer_active_is_refused(finish):
    enrollment = enroll(person(), item=ItemFactory())
    finish(enrollment=enrollment, actor=enrollment.user)

    assert_refused(
        services.WITHDRAW_NOT_ACTIVE,
        lambda: services.enrollment_withdraw(enrollment=enrollment, actor=enrollment.user),
    )


def test_re_enrolling_after_withdrawal_adds_to_the_record():
    user = person()
    offering = OfferingFactory()
    first = enroll(user, offering)
    services.enrollment_withdraw(enrollment=first, actor=user)

    second = enroll(user, offering)

    assert second.pk != first.pk
    assert second.status == Enrollment.Status.ENROLLED
    assert kinds(user) == ["registered", "withdrew", "registered"]


def test_promotion_skips_people_no_longer_eligible_and_keeps_their_place():
    pharmacy = DepartmentFactory(name="Pharmacy")
    audience = AudienceFactory(departments=[pharmacy])
    offering = OfferingFactory(capacity=1)
    offering.item.audiences.set([audience])
    holder = person(department=pharmacy)
    deactivated = person(department=pharmacy)
    moved = EmployeeFactory(department=pharmacy)
    eligible = person(department=pharmacy)
    seat = enroll(holder, offering)
    for user in (deactivated, moved.user, eligible):
        enroll(user, offering)
    deactivated.is_active = False
    deactivated.save()
    moved.department = DepartmentFactory(name="Estates")
    moved.save()

    services.enrollment_withdraw(enrollment=seat, actor=holder)

    statuses = dict(Enrollment.objects.filter(offering=offering).values_list("user", "status"))
    assert statuses[eligible.pk] == Enrollment.Status.ENROLLED
    assert statuses[deactivated.pk] == Enrollment.Status.WAITLISTED
    assert statuses[moved.user.pk] == Enrollment.Status.WAITLISTED


def test_each_freed_seat_promotes_exactly_one_person_in_order():
    offering = OfferingFactory(capacity=2)
    seats = [enroll(person(), offering) for _ in range(2)]
    waiting = [enroll(person(), offering) for _ in range(3)]

    for seat in seats:
        services.enrollment_withdraw(enrollment=seat, actor=seat.user)

    statuses = [Enrollment.objects.get(pk=e.pk).status for e in waiting]
    assert statuses == ["enrolled", "enrolled", "waitlisted"]
    assert TranscriptEvent.objects.filter(kind="promoted").count() == 2


# --- switching ------------------------------------------------------------------------------


def test_switching_moves_the_seat_and_frees_the_old_one():
    user = person()
    old = OfferingFactory(capacity=1)
    new = OfferingFactory(item=old.item, capacity=5)
    current = enroll(user, old)
    waiting = enroll(person(), old)

    moved = services.enrollment_switch(enrollment=current, offering=new, actor=user)

    current.refresh_from_db()
    waiting.refresh_from_db()
    assert (current.status, moved.status, moved.offering) == ("withdrawn", "enrolled", new)
    assert waiting.status == Enrollment.Status.ENROLLED
    assert kinds(user) == ["registered", "withdrew", "registered"]
    assert "Switched from" in TranscriptEvent.objects.filter(user=user).last().note


def test_switching_a_seat_to_a_full_session_is_refused_and_keeps_the_seat():
    user = person()
    old = OfferingFactory()
    full = OfferingFactory(item=old.item, capacity=1)
    enroll(person(), full)
    current = enroll(user, old)

    assert_refused(
        services.SWITCH_WOULD_LOSE_SEAT,
        lambda: services.enrollment_switch(enrollment=current, offering=full, actor=user),
    )


def test_switching_a_waitlist_place_to_another_waitlist_is_allowed():
    user = person()
    old = OfferingFactory(capacity=1)
    other = OfferingFactory(item=old.item, capacity=1)
    enroll(person(), old)
    enroll(person(), other)
    current = enroll(user, old)

    moved = services.enrollment_switch(enrollment=current, offering=other, actor=user)

    assert moved.status == Enrollment.Status.WAITLISTED


def test_switching_to_a_closed_or_foreign_session_changes_nothing():
    user = person()
    old = OfferingFactory()
    closed = OfferingFactory(
        item=old.item, enrollment_closes_at=timezone.now() - dt.timedelta(hours=1)
    )
    foreign = OfferingFactory()
    current = enroll(user, old)

    assert_refused(
        services.ENROLLMENT_CLOSED,
        lambda: services.enrollment_switch(enrollment=current, offering=closed, actor=user),
    )
    assert_refused(
        services.OFFERING_OTHER_ITEM,
        lambda: services.enrollment_switch(enrollment=current, offering=foreign, actor=user),
    )
    assert_refused(
        services.SWITCH_SAME_OFFERING,
        lambda: services.enrollment_switch(enrollment=current, offering=old, actor=user),
    )
