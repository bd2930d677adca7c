"""Enrollment tasks: each email sent exactly once (confirmation, waitlist, promotion,
withdrawal), through the services and with a real worker."""

import datetime as dt

import pytest
from django.core import mail

from enrollment import services, tasks
from enrollment.models import Enrollment
from notifications.models import SentEmail
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.factories import (
    SelfPacedEnrollmentFactory,
    SessionEnrollmentFactory,
    WaitlistedEnrollmentFactory,
)
from tests.enrollment.helpers import every_email_off
from tests.helpers import wait_for
from tests.notifications.helpers import calendar_parts, invite
from tests.people.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


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
    every_email_off(enrollment.user)

    tasks.send_enrollment_confirmation(enrollment.pk)

    assert len(mail.outbox) == 1


def test_deactivated_people_get_nothing():
    enrollment = SessionEnrollmentFactory(user__is_active=False)

    assert tasks.send_enrollment_confirmation(enrollment.pk) is False

    assert mail.outbox == []


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

    item = ItemFactory(popularity=0)
    for _ in range(3):
        Enrollment.objects.create(user=EmployeeFactory().user, item=item, status="enrolled")

    refresh_item_popularity.delay()
    item.refresh_from_db()

    assert item.popularity == 3
    assert refresh_item_popularity() == 0  # idempotent: nothing left to change
