"""Enrollment services: sessions changed by admins, interest without enrollment, popularity."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Item, Offering
from enrollment import services
from enrollment.models import Enrollment, SavedItem, SessionInterest, Source, TranscriptEvent
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import assert_refused, enroll, person
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


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
