"""Enrollment services: enrolling (seats, waitlist, refusals, the transcript), completion and
attendance."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from catalog.models import Item, Offering
from enrollment import services
from enrollment.models import Enrollment, Source, TranscriptEvent
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.enrollment.helpers import assert_refused, enroll, kinds, person
from tests.people.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_enroll_in_self_paced_item_registers_on_transcript_and_emails(
    django_capture_on_commit_callbacks, mailoutbox
):
    user = person()
    item = ItemFactory()

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = enroll(user, item=item, source=Source.WIDGET_EMPLOYEE)

    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.offering is None
    assert enrollment.source == Source.WIDGET_EMPLOYEE
    event = TranscriptEvent.objects.get(user=user)
    assert (event.kind, event.source, event.actor, event.item) == (
        TranscriptEvent.Kind.REGISTERED,
        Source.WIDGET_EMPLOYEE,
        user,
        item,
    )
    assert [m.to for m in mailoutbox] == [[user.email]]


def test_enroll_in_session_with_free_seat_takes_a_seat():
    user = person()
    offering = OfferingFactory(capacity=2)

    enrollment = enroll(user, offering)

    assert enrollment.status == Enrollment.Status.ENROLLED
    assert enrollment.enrolled_at is not None
    assert kinds(user) == ["registered"]


def test_enroll_when_full_joins_waitlist_in_order(django_capture_on_commit_callbacks, mailoutbox):
    offering = OfferingFactory(capacity=1)
    first, second, third = person(), person(), person()
    enroll(first, offering)

    with django_capture_on_commit_callbacks(execute=True):
        waiting = enroll(second, offering)
    later = enroll(third, offering)

    assert waiting.status == Enrollment.Status.WAITLISTED
    assert later.waitlisted_at > waiting.waitlisted_at
    assert kinds(second) == ["waitlisted"]
    assert [m.to for m in mailoutbox] == [[second.email]]


def test_enroll_when_full_without_waitlist_is_refused():
    offering = OfferingFactory(capacity=1, waitlist_enabled=False)
    enroll(person(), offering)
    user = person()

    assert_refused(services.OFFERING_FULL, lambda: enroll(user, offering))


def test_enroll_after_enrollment_closed_is_refused():
    offering = OfferingFactory(enrollment_closes_at=timezone.now() - dt.timedelta(minutes=1))
    user = person()

    assert_refused(services.ENROLLMENT_CLOSED, lambda: enroll(user, offering))


def test_enroll_before_enrollment_opens_is_refused():
    offering = OfferingFactory(enrollment_opens_at=timezone.now() + dt.timedelta(days=1))
    user = person()

    assert_refused(services.ENROLLMENT_CLOSED, lambda: enroll(user, offering))


def test_enroll_in_cancelled_session_is_refused():
    offering = OfferingFactory(status=Offering.Status.CANCELLED)
    user = person()

    assert_refused(services.OFFERING_CANCELLED, lambda: enroll(user, offering))


def test_enroll_in_item_outside_my_audience_is_refused():
    pharmacy = DepartmentFactory(name="Pharmacy")
    item = ItemFactory(audiences=[AudienceFactory(departments=[pharmacy])])
    nurse = person()  # Nursing, by the factory's default

    assert_refused(services.ITEM_NOT_AVAILABLE, lambda: enroll(nurse, item=item))
    assert enroll(person(department=pharmacy), item=item).status == "enrolled"


def test_enroll_in_unpublished_item_is_refused():
    item = ItemFactory(is_published=False)
    user = person()

    assert_refused(services.ITEM_NOT_AVAILABLE, lambda: enroll(user, item=item))


def test_deactivated_person_cannot_enroll():
    user = person(user__is_active=False)

    assert_refused(services.USER_INACTIVE, lambda: enroll(user, item=ItemFactory()))


def test_scheduled_item_needs_a_session_and_self_paced_has_none():
    scheduled = OfferingFactory()
    self_paced = ItemFactory()
    other = OfferingFactory()
    user = person()

    assert_refused(services.OFFERING_REQUIRED, lambda: enroll(user, item=scheduled.item))
    assert_refused(
        services.SELF_PACED_HAS_NO_SESSIONS, lambda: enroll(user, other, item=self_paced)
    )
    assert_refused(services.OFFERING_OTHER_ITEM, lambda: enroll(user, other, item=scheduled.item))


def test_enrolling_twice_returns_the_same_enrollment_and_one_event():
    user = person()
    offering = OfferingFactory()

    first = enroll(user, offering)
    again = enroll(user, offering)

    assert again.pk == first.pk
    assert Enrollment.objects.filter(user=user).count() == 1
    assert kinds(user) == ["registered"]


def test_active_place_in_one_session_blocks_another_session_of_the_item():
    user = person()
    offering = OfferingFactory()
    sibling = OfferingFactory(item=offering.item)
    enroll(user, offering)

    assert_refused(services.ALREADY_IN_OTHER_SESSION, lambda: enroll(user, sibling))


def test_admin_enrolling_on_behalf_is_recorded_with_admin_as_actor():
    user, admin = person(), UserFactory(is_staff=True)

    enroll(user, item=ItemFactory(), source=Source.ADMIN, actor=admin)

    event = TranscriptEvent.objects.get(user=user)
    assert (event.actor, event.source) == (admin, Source.ADMIN)


def test_source_parse_records_unknown_and_admin_values_as_direct():
    assert Source.parse("widget_manager") == Source.WIDGET_MANAGER
    assert Source.parse("evil<script>") == Source.DIRECT
    assert Source.parse("admin") == Source.DIRECT
    assert Source.parse(None) == Source.DIRECT


# --- completion and attendance --------------------------------------------------------------


def test_self_attested_completion_records_the_reflection():
    user = person()
    enrollment = enroll(user, item=ItemFactory(format=Item.Format.BOOK))

    services.enrollment_complete(enrollment=enrollment, actor=user, reflection="  Useful.  ")

    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.reflection) == ("completed", "Useful.")
    event = TranscriptEvent.objects.filter(user=user).last()
    assert (event.kind, event.note) == ("completed", "Useful.")


def test_sessions_cannot_be_self_completed_or_completed_twice():
    user = person()
    session_place = enroll(user, OfferingFactory())
    self_paced = enroll(user, item=ItemFactory())
    services.enrollment_complete(enrollment=self_paced, actor=user)

    assert_refused(
        services.COMPLETE_NOT_SELF_PACED,
        lambda: services.enrollment_complete(enrollment=session_place, actor=user),
    )
    assert_refused(
        services.COMPLETE_NOT_ENROLLED,
        lambda: services.enrollment_complete(enrollment=self_paced, actor=user),
    )


def test_attendance_is_marked_by_an_admin_once_the_session_started():
    admin = UserFactory(is_staff=True)
    offering = OfferingFactory()
    enrollment = enroll(person(), offering)

    assert_refused(
        services.ATTENDANCE_BEFORE_START,
        lambda: services.attendance_mark(enrollment=enrollment, actor=admin),
    )
    with time_machine.travel(offering.starts_at + dt.timedelta(minutes=10)):
        services.attendance_mark(enrollment=enrollment, actor=admin)

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
    event = TranscriptEvent.objects.filter(enrollment=enrollment).last()
    assert (event.kind, event.actor, event.source) == ("completed", admin, Source.ADMIN)


def test_attendance_needs_a_seat_in_a_session():
    admin = UserFactory(is_staff=True)
    self_paced = enroll(person(), item=ItemFactory())
    offering = OfferingFactory(capacity=1)
    enroll(person(), offering)
    waiting = enroll(person(), offering)

    assert_refused(
        services.ATTENDANCE_NOT_SESSION,
        lambda: services.attendance_mark(enrollment=self_paced, actor=admin),
    )
    with time_machine.travel(offering.starts_at + dt.timedelta(minutes=1)):
        assert_refused(
            services.ATTENDANCE_NOT_ENROLLED,
            lambda: services.attendance_mark(enrollment=waiting, actor=admin),
        )
