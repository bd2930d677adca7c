import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.utils import timezone

from catalog.models import Offering
from enrollment import services, tasks
from enrollment.models import Enrollment
from learning_portal.celery import app
from notifications.models import OutboxMessage, SentEmail
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.enrollment.factories import (
    SelfPacedEnrollmentFactory,
    SessionEnrollmentFactory,
    SessionInterestFactory,
    WaitlistedEnrollmentFactory,
)
from tests.helpers import wait_for
from tests.notifications.factories import EmailPreferenceFactory
from tests.notifications.helpers import calendar_parts, invite
from tests.people.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _soon(hours: float) -> dict:
    starts_at = timezone.now() + dt.timedelta(hours=hours)
    return {"starts_at": starts_at, "ends_at": starts_at + dt.timedelta(hours=1)}


def _update(offering, **fields):
    """Change the row as the enrollment services leave it, without their Offering signals."""
    if "starts_at" in fields and "ends_at" not in fields:
        fields["ends_at"] = fields["starts_at"] + (offering.ends_at - offering.starts_at)
    Offering.objects.filter(pk=offering.pk).update(**fields)
    offering.refresh_from_db()


def _all_off(user):
    return EmailPreferenceFactory(
        user=user,
        session_reminders=False,
        session_opened=False,
        theme_announcements=False,
        manager_suggestions=False,
    )


# --- confirmation, waitlist, promotion, withdrawal ----------------------------------------


def test_confirmation_runs_twice_and_sends_one_email():
    enrollment = SessionEnrollmentFactory()

    assert tasks.send_enrollment_confirmation(enrollment.pk) is True
    assert tasks.send_enrollment_confirmation(enrollment.pk) is False

    assert len(mail.outbox) == 1
    assert SentEmail.objects.filter(key=f"enrollment-confirmation:{enrollment.pk}").count() == 1


def test_confirmation_applied_twice_through_celery_sends_one_email():
    enrollment = SessionEnrollmentFactory()

    first = tasks.send_enrollment_confirmation.apply(args=[enrollment.pk])
    second = tasks.send_enrollment_confirmation.apply(args=[enrollment.pk])

    assert (first.get(), second.get()) == (True, False)
    assert len(mail.outbox) == 1


def test_confirmation_for_a_self_paced_item_has_no_invite():
    enrollment = SelfPacedEnrollmentFactory()

    tasks.send_enrollment_confirmation(enrollment.pk)

    (message,) = mail.outbox
    assert calendar_parts(message) == []


def test_confirmation_for_an_enrollment_withdrawn_before_the_task_ran_sends_nothing():
    enrollment = SessionEnrollmentFactory(status=Enrollment.Status.WITHDRAWN)

    assert tasks.send_enrollment_confirmation(enrollment.pk) is False

    assert mail.outbox == []
    assert not SentEmail.objects.exists()


def test_tasks_for_a_missing_row_send_nothing():
    assert tasks.send_enrollment_confirmation(987654) is False
    assert tasks.send_waitlist_confirmation(987654) is False
    assert tasks.send_promotion_notice(987654) is False
    assert tasks.send_withdrawal_notice(987654) is False
    assert tasks.send_offering_changed(987654) == 0
    assert tasks.send_offering_cancelled(987654) == 0
    assert tasks.notify_session_opened(987654) == 0
    assert mail.outbox == []


def test_waitlist_confirmation_sends_once_and_not_after_promotion():
    waiting = WaitlistedEnrollmentFactory()
    promoted_meanwhile = WaitlistedEnrollmentFactory(offering=waiting.offering)
    promoted_meanwhile.status = Enrollment.Status.ENROLLED
    promoted_meanwhile.save()

    tasks.send_waitlist_confirmation(waiting.pk)
    tasks.send_waitlist_confirmation(waiting.pk)
    tasks.send_waitlist_confirmation(promoted_meanwhile.pk)

    (message,) = mail.outbox
    assert message.to == [waiting.user.email]
    assert "number 1 in line" in message.body


def test_promotion_notice_sends_once_with_an_invite():
    enrollment = SessionEnrollmentFactory()

    tasks.send_promotion_notice(enrollment.pk)
    tasks.send_promotion_notice(enrollment.pk)

    (message,) = mail.outbox
    assert invite(message)[2]["METHOD"] == "REQUEST"


def test_withdrawal_notice_sends_once_with_a_cancel_and_only_when_withdrawn():
    withdrawn = SessionEnrollmentFactory(status=Enrollment.Status.WITHDRAWN)
    still_enrolled = SessionEnrollmentFactory()

    tasks.send_withdrawal_notice(withdrawn.pk)
    tasks.send_withdrawal_notice(withdrawn.pk)
    tasks.send_withdrawal_notice(still_enrolled.pk)

    (message,) = mail.outbox
    assert message.to == [withdrawn.user.email]
    assert invite(message)[2]["METHOD"] == "CANCEL"


def test_transactional_emails_ignore_the_opt_out():
    enrollment = SessionEnrollmentFactory()
    _all_off(enrollment.user)

    tasks.send_enrollment_confirmation(enrollment.pk)

    assert len(mail.outbox) == 1


def test_deactivated_people_get_nothing():
    enrollment = SessionEnrollmentFactory(user__is_active=False)

    assert tasks.send_enrollment_confirmation(enrollment.pk) is False

    assert mail.outbox == []


# --- session changed / cancelled ----------------------------------------------------------


def test_offering_changed_emails_each_seat_holder_once_per_revision():
    offering = OfferingFactory()
    ana = SessionEnrollmentFactory(offering=offering)
    ben = SessionEnrollmentFactory(offering=offering)
    WaitlistedEnrollmentFactory(offering=offering)
    SessionEnrollmentFactory(offering=offering, status=Enrollment.Status.WITHDRAWN)

    _update(offering, starts_at=offering.starts_at + dt.timedelta(days=1), sequence=1)
    assert tasks.send_offering_changed(offering.pk) == 2
    assert tasks.send_offering_changed(offering.pk) == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted([ana.user.email, ben.user.email])
    assert {invite(m)[1]["SEQUENCE"] for m in mail.outbox} == {1}

    _update(offering, location="Main Hall", sequence=2)
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
    _update(offering, status=Offering.Status.CANCELLED)
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
    due = SessionEnrollmentFactory(offering=OfferingFactory(**_soon(23)))
    SessionEnrollmentFactory(offering=OfferingFactory(**_soon(25)))
    SessionEnrollmentFactory(offering=OfferingFactory(**_soon(-1)))
    SessionEnrollmentFactory(offering=OfferingFactory(**_soon(2)), status="withdrawn")
    WaitlistedEnrollmentFactory(offering=OfferingFactory(**_soon(2)))
    SessionEnrollmentFactory(offering=OfferingFactory(**_soon(2), status="cancelled"))

    assert tasks.send_session_reminders() == 1
    assert tasks.send_session_reminders() == 0

    (message,) = mail.outbox
    assert message.to == [due.user.email]
    assert message.subject.startswith("Reminder: ")


def test_a_moved_session_gets_a_new_reminder():
    offering = OfferingFactory(**_soon(20))
    SessionEnrollmentFactory(offering=offering)
    tasks.send_session_reminders()

    _update(
        offering,
        starts_at=offering.starts_at + dt.timedelta(hours=2),
        ends_at=offering.ends_at + dt.timedelta(hours=2),
        sequence=1,
    )

    assert tasks.send_session_reminders() == 1
    assert tasks.send_session_reminders() == 0
    assert len(mail.outbox) == 2


def test_reminders_respect_the_opt_out_and_deactivation():
    offering = OfferingFactory(**_soon(3))
    opted_out = SessionEnrollmentFactory(offering=offering)
    _all_off(opted_out.user)
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
    _all_off(opted_out.user)
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
    assert tasks.notify_session_opened(OfferingFactory(item=item, **_soon(-3)).pk) == 0

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


# --- through the enrollment services -------------------------------------------------------


def _subjects_and_methods():
    return [
        (
            message.to[0],
            message.subject.split(":")[0],
            invite(message)[2]["METHOD"] if calendar_parts(message) else None,
        )
        for message in mail.outbox
    ]


def test_enroll_waitlist_withdraw_and_promotion_send_the_right_emails(
    django_capture_on_commit_callbacks,
):
    offering = OfferingFactory(capacity=1)
    ana, ben = UserFactory(), UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        seat = services.enrollment_create(user=ana, item=offering.item, offering=offering)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_create(user=ben, item=offering.item, offering=offering)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_withdraw(enrollment=seat, actor=ana)

    assert _subjects_and_methods() == [
        (ana.email, "You're enrolled", "REQUEST"),
        (ben.email, "You're on the waitlist", None),
        (ana.email, "You've withdrawn", "CANCEL"),
        (ben.email, "A place is yours", "REQUEST"),
    ]
    assert "number 1 in line" in mail.outbox[1].body
    request, cancel = invite(mail.outbox[0])[1], invite(mail.outbox[2])[1]
    assert request["UID"] == cancel["UID"]
    assert request["SEQUENCE"] < cancel["SEQUENCE"]


def test_reenrolling_after_withdrawing_sends_an_invite_that_outranks_the_cancel(
    django_capture_on_commit_callbacks,
):
    offering = OfferingFactory(capacity=None)
    ana = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        first = services.enrollment_create(user=ana, item=offering.item, offering=offering)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_withdraw(enrollment=first, actor=ana)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_create(user=ana, item=offering.item, offering=offering)

    events = [invite(message)[1] for message in mail.outbox]
    assert [message.subject.split(":")[0] for message in mail.outbox] == [
        "You're enrolled",
        "You've withdrawn",
        "You're enrolled",
    ]
    assert len({event["UID"] for event in events}) == 1
    assert [event["SEQUENCE"] for event in events] == [0, 1, 2]


def test_an_admin_moving_a_session_sends_updated_invites_with_a_bumped_sequence(
    django_capture_on_commit_callbacks, manager
):
    offering = OfferingFactory()
    enrollment = SessionEnrollmentFactory(offering=offering)
    later = offering.starts_at + dt.timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_update(
            offering=offering,
            actor=manager.user,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=2),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.offering_update(offering=offering, actor=manager.user, location="Main Hall")

    first, second = mail.outbox
    assert first.to == second.to == [enrollment.user.email]
    assert first.subject == second.subject == f"Session changed: {offering.item.title}"
    assert invite(first)[1]["SEQUENCE"] == 1
    assert invite(first)[1]["DTSTART"].dt == later.replace(microsecond=0)
    assert invite(second)[1]["SEQUENCE"] == 2
    assert invite(second)[1]["LOCATION"] == "Main Hall"


def test_cancelling_a_session_tells_everyone_on_it(django_capture_on_commit_callbacks, manager):
    offering = OfferingFactory(capacity=1)
    seat = SessionEnrollmentFactory(offering=offering)
    queued = WaitlistedEnrollmentFactory(offering=offering)

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_cancel(offering=offering, actor=manager.user)

    assert sorted(_subjects_and_methods()) == sorted(
        [
            (seat.user.email, "Session cancelled", "CANCEL"),
            (queued.user.email, "Session cancelled", None),
        ]
    )


# --- a real worker ------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_one_email_for_a_task_queued_twice(redis_worker):
    enrollment = SessionEnrollmentFactory()
    # Queued last: the single worker takes tasks in order, so once this one's email is out,
    # both deliveries of the first task have run.
    sentinel = SessionEnrollmentFactory()

    tasks.send_enrollment_confirmation.delay(enrollment.pk)
    tasks.send_enrollment_confirmation.delay(enrollment.pk)
    tasks.send_enrollment_confirmation.delay(sentinel.pk)

    assert wait_for(
        lambda: SentEmail.objects.filter(key=f"enrollment-confirmation:{sentinel.pk}").exists()
    )
    assert wait_for(lambda: len(mail.outbox) == 2)
    recipients = [message.to[0] for message in mail.outbox]
    assert recipients == [enrollment.user.email, sentinel.user.email]
    assert invite(mail.outbox[0])[2]["METHOD"] == "REQUEST"


def test_popularity_refresh_task_counts_recent_enrollments(db):
    from enrollment.tasks import refresh_item_popularity
    from tests.catalog.factories import ItemFactory
    from tests.people.factories import EmployeeFactory

    item = ItemFactory(popularity=0)
    for _ in range(3):
        Enrollment.objects.create(user=EmployeeFactory().user, item=item, status="enrolled")

    refresh_item_popularity.delay()
    item.refresh_from_db()

    assert item.popularity == 3
    assert refresh_item_popularity() == 0  # idempotent: nothing left to change
