"""Enrollment tasks about sessions: changed or cancelled, reminders, and a session opened for
those who asked."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from catalog.models import Offering
from enrollment import tasks
from enrollment.models import Enrollment
from learning_portal.celery import app
from notifications.models import OutboxMessage
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.enrollment.factories import (
    SessionEnrollmentFactory,
    SessionInterestFactory,
    WaitlistedEnrollmentFactory,
)
from tests.enrollment.helpers import every_email_off, offering_set, starting_in
from tests.notifications.helpers import calendar_parts, invite
from tests.people.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- session changed / cancelled ----------------------------------------------------------


def test_offering_changed_emails_each_seat_holder_once_per_revision():
    offering = OfferingFactory()
    ana = SessionEnrollmentFactory(offering=offering)
    ben = SessionEnrollmentFactory(offering=offering)
    WaitlistedEnrollmentFactory(offering=offering)
    SessionEnrollmentFactory(offering=offering, status=Enrollment.Status.WITHDRAWN)

    offering_set(offering, starts_at=offering.starts_at + dt.timedelta(days=1), sequence=1)
    assert tasks.send_offering_changed(offering.pk) == 2
    assert tasks.send_offering_changed(offering.pk) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.user.email, ben.user.email])
    assert {invite(m)[1]["SEQUENCE"] for m in mail.outbox} == {1}

    offering_set(offering, location="Main Hall", sequence=2)
    assert tasks.send_offering_changed(offering.pk) == 2

    latest = mail.outbox[2:]
    assert {invite(m)[1]["SEQUENCE"] for m in latest} == {2}
    assert {invite(m)[1]["LOCATION"] for m in latest} == {"Main Hall"}
    assert {invite(m)[1]["UID"] for m in latest} == {invite(m)[1]["UID"] for m in mail.outbox[:2]}


def test_offering_changed_does_nothing_for_a_cancelled_offering():
    offering = OfferingFactory(status=Offering.Status.CANCELLED)
    SessionEnrollmentFactory(offering=offering)

    assert tasks.send_offering_changed(offering.pk) == 0
    assert mail.outbox == []


def test_offering_cancelled_tells_seat_holders_and_the_waitlist_once():
    offering = OfferingFactory()
    seat = SessionEnrollmentFactory(offering=offering)
    queued = WaitlistedEnrollmentFactory(offering=offering)
    left_earlier = SessionEnrollmentFactory(offering=offering, status=Enrollment.Status.WITHDRAWN)
    offering_set(offering, status=Offering.Status.CANCELLED)
    Enrollment.objects.filter(pk__in=[seat.pk, queued.pk]).update(
        status=Enrollment.Status.CANCELLED
    )

    assert tasks.send_offering_cancelled(offering.pk) == 2
    assert tasks.send_offering_cancelled(offering.pk) == 0

    by_person = {m.to[0]: m for m in mail.outbox}
    assert set(by_person) == {seat.user.email, queued.user.email}
    assert left_earlier.user.email not in by_person
    assert invite(by_person[seat.user.email])[2]["METHOD"] == "CANCEL"
    assert calendar_parts(by_person[queued.user.email]) == []


def test_offering_cancelled_does_nothing_while_the_offering_is_still_scheduled():
    offering = OfferingFactory()
    SessionEnrollmentFactory(offering=offering, status=Enrollment.Status.CANCELLED)

    assert tasks.send_offering_cancelled(offering.pk) == 0
    assert mail.outbox == []


# --- reminders ----------------------------------------------------------------------------


def test_reminder_is_due_once_within_24_hours_of_the_session():
    due = SessionEnrollmentFactory(offering=OfferingFactory(**starting_in(23)))
    SessionEnrollmentFactory(offering=OfferingFactory(**starting_in(25)))
    SessionEnrollmentFactory(offering=OfferingFactory(**starting_in(-1)))
    SessionEnrollmentFactory(offering=OfferingFactory(**starting_in(2)), status="withdrawn")
    WaitlistedEnrollmentFactory(offering=OfferingFactory(**starting_in(2)))
    SessionEnrollmentFactory(offering=OfferingFactory(**starting_in(2), status="cancelled"))

    assert tasks.send_session_reminders() == 1
    assert tasks.send_session_reminders() == 0

    (message,) = mail.outbox
    assert message.to == [due.user.email]
    assert message.subject.startswith("Reminder: ")


def test_a_moved_session_gets_a_new_reminder():
    offering = OfferingFactory(**starting_in(20))
    SessionEnrollmentFactory(offering=offering)
    tasks.send_session_reminders()

    offering_set(
        offering,
        starts_at=offering.starts_at + dt.timedelta(hours=2),
        ends_at=offering.ends_at + dt.timedelta(hours=2),
        sequence=1,
    )

    assert tasks.send_session_reminders() == 1
    assert tasks.send_session_reminders() == 0
    assert len(mail.outbox) == 2


def test_reminders_respect_the_opt_out_and_deactivation():
    offering = OfferingFactory(**starting_in(3))
    opted_out = SessionEnrollmentFactory(offering=offering)
    every_email_off(opted_out.user)
    SessionEnrollmentFactory(offering=offering, user__is_active=False)
    wants = SessionEnrollmentFactory(offering=offering)

    assert tasks.send_session_reminders() == 1

    (message,) = mail.outbox
    assert message.to == [wants.user.email]


def test_reminders_run_on_the_beat_schedule():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["enrollment-session-reminders"]

    assert schedule["task"] == tasks.send_session_reminders.name
    assert schedule["task"] in app.tasks
    assert schedule["schedule"] <= 15 * 60


# --- a session opened ---------------------------------------------------------------------


def test_session_opened_tells_each_interested_person_once(django_capture_on_commit_callbacks):
    item = ItemFactory(delivery="scheduled")
    first = SessionInterestFactory(item=item)
    second = SessionInterestFactory(item=item)
    SessionInterestFactory()  # interested in something else
    offering = OfferingFactory(item=item)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_session_opened(offering.pk) == 2
    another = OfferingFactory(item=item)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_session_opened(offering.pk) == 0
        assert tasks.notify_session_opened(another.pk) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, second.user.email])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.notified_at is not None
    assert second.notified_at is not None


def test_session_opened_leaves_opted_out_and_unauthorised_people_pending(
    django_capture_on_commit_callbacks,
):
    nursing = DepartmentFactory(name="Nursing")
    pharmacy = DepartmentFactory(name="Pharmacy")
    item = ItemFactory(audiences=[AudienceFactory(departments=[nursing])])
    nurse = EmployeeFactory(department=nursing)
    pharmacist = EmployeeFactory(department=pharmacy)
    opted_out = EmployeeFactory(department=nursing)
    every_email_off(opted_out.user)
    told = SessionInterestFactory(item=item, user=nurse.user)
    not_allowed = SessionInterestFactory(item=item, user=pharmacist.user)
    silenced = SessionInterestFactory(item=item, user=opted_out.user)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_session_opened(OfferingFactory(item=item).pk) == 1

    (message,) = mail.outbox
    assert message.to == [nurse.user.email]
    told.refresh_from_db()
    not_allowed.refresh_from_db()
    silenced.refresh_from_db()
    assert told.notified_at is not None
    assert not_allowed.notified_at is None
    assert silenced.notified_at is None


def test_session_opened_ignores_cancelled_and_past_sessions():
    item = ItemFactory()
    interest = SessionInterestFactory(item=item)

    assert tasks.notify_session_opened(OfferingFactory(item=item, status="cancelled").pk) == 0
    assert tasks.notify_session_opened(OfferingFactory(item=item, **starting_in(-3)).pk) == 0

    assert mail.outbox == []
    interest.refresh_from_db()
    assert interest.notified_at is None


def test_session_opened_after_an_earlier_fulfilled_request_tells_a_new_request(
    django_capture_on_commit_callbacks,
):
    item = ItemFactory()
    user = UserFactory()
    SessionInterestFactory(item=item, user=user, notified_at=timezone.now())
    SessionInterestFactory(item=item, user=user)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.notify_session_opened(OfferingFactory(item=item).pk) == 1
    assert len(mail.outbox) == 1


def test_session_opened_queues_each_email_in_the_outbox_with_the_request_fulfilled(
    django_capture_on_commit_callbacks,
):
    item = ItemFactory()
    interest = SessionInterestFactory(item=item)
    offering = OfferingFactory(item=item)

    with django_capture_on_commit_callbacks(execute=False):
        assert tasks.notify_session_opened(offering.pk) == 1

    # Nothing is sent inside the transaction: the email waits in the outbox for a worker.
    assert mail.outbox == []
    (message,) = OutboxMessage.objects.filter(task=tasks.send_session_opened.name)
    assert message.args == [interest.pk, offering.pk]
    interest.refresh_from_db()
    assert interest.notified_at is not None
    # Delivered twice (a worker killed after sending, before acknowledging): one email.
    assert tasks.send_session_opened(interest.pk, offering.pk) is True
    assert tasks.send_session_opened(interest.pk, offering.pk) is False
    assert len(mail.outbox) == 1
