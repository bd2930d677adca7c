import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Item, Offering
from enrollment import services
from enrollment.models import Enrollment, SavedItem, SessionInterest, Source, TranscriptEvent
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.enrollment.factories import EnrollmentFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(**kwargs):
    return EmployeeFactory(**kwargs).user


def kinds(user):
    return list(TranscriptEvent.objects.filter(user=user).values_list("kind", flat=True))


def assert_refused(message, call):
    events = TranscriptEvent.objects.count()
    enrollments = list(Enrollment.objects.values_list("pk", "status"))
    with pytest.raises(ValidationError) as exc:
        call()
    assert exc.value.messages == [message]
    assert TranscriptEvent.objects.count() == events
    assert list(Enrollment.objects.values_list("pk", "status")) == enrollments


# --- enrolling ------------------------------------------------------------------------------


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


# --- withdrawing and promotion --------------------------------------------------------------


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


# --- sessions changed by admins -------------------------------------------------------------


def test_raising_capacity_promotes_one_person_per_new_seat_in_order():
    admin = UserFactory(is_staff=True)
    offering = OfferingFactory(capacity=1)
    enroll(person(), offering)
    waiting = [enroll(person(), offering) for _ in range(3)]

    services.offering_set_capacity(offering=offering, capacity=3, actor=admin)

    statuses = [Enrollment.objects.get(pk=e.pk).status for e in waiting]
    assert statuses == ["enrolled", "enrolled", "waitlisted"]
    assert set(TranscriptEvent.objects.filter(kind="promoted").values_list("actor", flat=True)) == {
        admin.pk
    }


def test_lowering_capacity_removes_nobody_and_invalid_capacity_is_refused():
    offering = OfferingFactory(capacity=3)
    seats = [enroll(person(), offering) for _ in range(3)]

    services.offering_set_capacity(offering=offering, capacity=1, actor=None)

    assert Enrollment.objects.filter(pk__in=[s.pk for s in seats], status="enrolled").count() == 3
    assert_refused(
        services.CAPACITY_INVALID,
        lambda: services.offering_set_capacity(offering=offering, capacity=0, actor=None),
    )


def test_removing_the_capacity_limit_promotes_everyone_eligible():
    offering = OfferingFactory(capacity=1)
    enroll(person(), offering)
    waiting = [enroll(person(), offering) for _ in range(3)]

    services.offering_set_capacity(offering=offering, capacity=None, actor=None)

    assert all(Enrollment.objects.get(pk=e.pk).status == "enrolled" for e in waiting)


def test_capacity_raised_by_a_plain_save_in_the_catalog_admin_promotes():
    offering = OfferingFactory(capacity=1)
    enroll(person(), offering)
    waiting = enroll(person(), offering)

    offering.capacity = 2
    offering.save()

    waiting.refresh_from_db()
    assert waiting.status == Enrollment.Status.ENROLLED


def test_cancelling_a_session_cancels_every_place_and_tells_everyone(
    django_capture_on_commit_callbacks, mailoutbox
):
    admin = UserFactory(is_staff=True)
    offering = OfferingFactory(capacity=1)
    seated = enroll(person(), offering)
    waiting = enroll(person(), offering)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_cancel(offering=offering, actor=admin)

    assert set(Enrollment.objects.filter(offering=offering).values_list("status", flat=True)) == {
        "cancelled"
    }
    cancelled = TranscriptEvent.objects.filter(kind="cancelled")
    assert sorted(cancelled.values_list("user", flat=True)) == sorted(
        [seated.user_id, waiting.user_id]
    )
    assert {event.actor for event in cancelled} == {admin}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([seated.user.email, waiting.user.email])
    assert_refused(
        services.OFFERING_ALREADY_CANCELLED,
        lambda: services.offering_cancel(offering=offering, actor=admin),
    )


def test_changing_time_or_place_bumps_sequence_and_emails_the_seated(
    django_capture_on_commit_callbacks, mailoutbox
):
    offering = OfferingFactory()
    seated = enroll(person(), offering)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_update(
            offering=offering, actor=None, location="Lecture theatre", title="Moved"
        )
    offering.refresh_from_db()
    assert offering.sequence == 1
    assert [m.to for m in mailoutbox] == [[seated.user.email]]

    services.offering_update(offering=offering, actor=None, title="Renamed only")
    offering.refresh_from_db()
    assert offering.sequence == 1


def test_offering_update_refuses_fields_it_does_not_own():
    offering = OfferingFactory()

    with pytest.raises(ValidationError):
        services.offering_update(offering=offering, actor=None, status="cancelled")
    with pytest.raises(ValidationError):
        services.offering_update(
            offering=offering, actor=None, ends_at=offering.starts_at - dt.timedelta(hours=1)
        )
    offering.refresh_from_db()
    assert offering.status == Offering.Status.SCHEDULED


def test_a_new_session_tells_people_who_asked_once(django_capture_on_commit_callbacks, mailoutbox):
    item = ItemFactory(delivery=Item.Delivery.SCHEDULED)
    user = person()
    services.session_interest_register(user=user, item=item)

    with django_capture_on_commit_callbacks(execute=True):
        OfferingFactory(item=item)
    with django_capture_on_commit_callbacks(execute=True):
        OfferingFactory(item=item)

    assert [m.to for m in mailoutbox] == [[user.email]]
    assert SessionInterest.objects.get(user=user).notified_at is not None


# --- interest without enrollment ------------------------------------------------------------


def test_saving_and_asking_for_sessions_never_write_the_transcript():
    user = person()
    item = ItemFactory(delivery=Item.Delivery.SCHEDULED)

    assert services.saved_item_toggle(user=user, item=item) is True
    assert services.saved_item_toggle(user=user, item=item) is False
    assert services.saved_item_toggle(user=user, item=item) is True
    first = services.session_interest_register(user=user, item=item)
    again = services.session_interest_register(user=user, item=item)

    assert first.pk == again.pk
    assert SavedItem.objects.filter(user=user).count() == 1
    assert services.session_interest_cancel(user=user, item=item) is True
    assert not TranscriptEvent.objects.exists()
    assert not Enrollment.objects.exists()


def test_saving_an_invisible_item_is_refused():
    item = ItemFactory(is_published=False)

    with pytest.raises(ValidationError):
        services.saved_item_toggle(user=person(), item=item)
    with pytest.raises(ValidationError):
        services.session_interest_register(user=person(), item=item)


# --- popularity -----------------------------------------------------------------------------


def test_popularity_counts_enrollments_of_the_last_90_days():
    popular, quiet = ItemFactory(), ItemFactory()
    for _ in range(3):
        enroll(person(), item=popular)
    old = enroll(person(), item=quiet)
    Enrollment.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=91))

    changed = services.item_popularity_refresh()

    assert changed == 1
    assert Item.objects.get(pk=popular.pk).popularity == 3
    assert Item.objects.get(pk=quiet.pk).popularity == 0
    assert services.item_popularity_refresh() == 0


def test_catalog_admin_style_saves_cancel_and_reschedule_through_the_signal(
    django_capture_on_commit_callbacks, mailoutbox
):
    moved = OfferingFactory()
    cancelled = OfferingFactory()
    seated = enroll(person(), moved)
    gone = enroll(person(), cancelled)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        moved.starts_at += dt.timedelta(hours=1)
        moved.ends_at += dt.timedelta(hours=1)
        moved.save()
        cancelled.status = Offering.Status.CANCELLED
        cancelled.save()

    assert moved.sequence == 1
    gone.refresh_from_db()
    assert gone.status == Enrollment.Status.CANCELLED
    assert TranscriptEvent.objects.filter(enrollment=gone, kind="cancelled").count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([seated.user.email, gone.user.email])


def test_a_promotion_never_records_the_learner_who_gave_up_the_seat():
    admin = UserFactory(is_staff=True)
    offering = OfferingFactory(capacity=2)
    mine, theirs = enroll(person(), offering), enroll(person(), offering)
    first, second = enroll(person(), offering), enroll(person(), offering)

    services.enrollment_withdraw(enrollment=mine, actor=mine.user)
    services.enrollment_withdraw(enrollment=theirs, actor=admin, source=Source.ADMIN)

    assert TranscriptEvent.objects.get(enrollment=first, kind="promoted").actor is None
    assert TranscriptEvent.objects.get(enrollment=second, kind="promoted").actor == admin
