import datetime as dt
import zoneinfo

import pytest
from django.core import mail

from catalog.models import Offering
from enrollment import emails
from enrollment.models import Enrollment
from tests.catalog.factories import OfferingFactory
from tests.enrollment.factories import (
    SelfPacedEnrollmentFactory,
    SessionEnrollmentFactory,
    SessionInterestFactory,
    WaitlistedEnrollmentFactory,
)
from tests.notifications.helpers import calendar_parts, html_part, invite

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
BASE = "https://learning.example.org"


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def offering():
    starts_at = dt.datetime(2027, 6, 15, 9, 0, tzinfo=LONDON)
    return OfferingFactory(
        item__title="Sepsis recognition",
        item__slug="sepsis-recognition",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2, minutes=30),
        timezone="Europe/London",
        location="Education Centre, Room 2",
        online_url="https://meet.example.org/sepsis",
    )


def _only_email():
    (message,) = mail.outbox
    return message


def test_session_confirmation_has_details_links_and_a_request_invite(offering):
    enrollment = SessionEnrollmentFactory(offering=offering, user__first_name="Ana")

    assert emails.enrollment_confirmation_send(enrollment=enrollment) is True

    message = _only_email()
    assert message.to == [enrollment.user.email]
    assert message.subject == "You're enrolled: Sepsis recognition"
    for body in (message.body, html_part(message)):
        assert "Hello Ana" in body
        assert "Tuesday 15 June 2027, 09:00–11:30 London time" in body
        assert "Education Centre, Room 2" in body
        assert "https://meet.example.org/sepsis" in body
        assert f"{BASE}/catalog/sepsis-recognition/" in body
        assert f"{BASE}/me/notifications/" in body
        assert "Turn these emails off" not in body
    assert f'href="{BASE}/catalog/sepsis-recognition/"' in html_part(message)
    content_type, event, calendar = invite(message)
    assert content_type == "text/calendar; method=REQUEST; charset=utf-8"
    assert calendar["METHOD"] == "REQUEST"
    assert event["STATUS"] == "CONFIRMED"


def test_self_paced_confirmation_has_the_launch_link_and_no_invite():
    enrollment = SelfPacedEnrollmentFactory(
        item__title="Safe moving and handling",
        item__slug="safe-moving",
        item__launch_url="https://elearning.example.org/moving",
    )

    emails.enrollment_confirmation_send(enrollment=enrollment)

    message = _only_email()
    assert message.subject == "You're enrolled: Safe moving and handling"
    assert "self-paced" in message.body
    assert "https://elearning.example.org/moving" in message.body
    assert 'href="https://elearning.example.org/moving"' in html_part(message)
    assert f"{BASE}/catalog/safe-moving/" in message.body
    assert calendar_parts(message) == []


def test_waitlist_email_gives_the_position_and_no_invite(offering):
    WaitlistedEnrollmentFactory(offering=offering)
    second = WaitlistedEnrollmentFactory(offering=offering)
    WaitlistedEnrollmentFactory(offering=offering)

    emails.waitlist_confirmation_send(enrollment=second)

    message = _only_email()
    assert message.subject == "You're on the waitlist: Sepsis recognition"
    assert "number 2 in line" in message.body
    assert "number 2</strong> in line" in html_part(message)
    assert calendar_parts(message) == []


def test_promotion_email_carries_a_request_invite(offering):
    enrollment = SessionEnrollmentFactory(offering=offering)

    emails.promotion_notice_send(enrollment=enrollment)

    message = _only_email()
    assert message.subject == "A place is yours: Sepsis recognition"
    assert "moved from the waitlist to enrolled" in message.body
    content_type, event, _ = invite(message)
    assert content_type == "text/calendar; method=REQUEST; charset=utf-8"


def test_withdrawal_email_carries_a_cancel_with_the_same_uid(offering):
    enrollment = SessionEnrollmentFactory(offering=offering)
    emails.enrollment_confirmation_send(enrollment=enrollment)
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.save()

    emails.withdrawal_notice_send(enrollment=enrollment)

    confirmation, withdrawal = mail.outbox
    assert withdrawal.subject == "You've withdrawn: Sepsis recognition"
    content_type, cancel, calendar = invite(withdrawal)
    assert content_type == "text/calendar; method=CANCEL; charset=utf-8"
    assert calendar["METHOD"] == "CANCEL"
    assert cancel["STATUS"] == "CANCELLED"
    assert cancel["UID"] == invite(confirmation)[1]["UID"]


def test_session_changed_email_shows_the_new_time(offering):
    enrollment = SessionEnrollmentFactory(offering=offering)
    # A row update, as the enrollment service leaves it: new time, SEQUENCE bumped.
    Offering.objects.filter(pk=offering.pk).update(
        starts_at=dt.datetime(2027, 6, 16, 14, 0, tzinfo=LONDON),
        ends_at=dt.datetime(2027, 6, 16, 16, 0, tzinfo=LONDON),
        sequence=1,
    )
    offering.refresh_from_db()

    emails.offering_changed_send(offering=offering, enrollment=enrollment)

    message = _only_email()
    assert message.subject == "Session changed: Sepsis recognition"
    assert "Wednesday 16 June 2027, 14:00–16:00 London time" in message.body
    _, event, _ = invite(message)
    assert event["SEQUENCE"] == 1


def test_session_cancelled_email_cancels_the_calendar_entry_only_for_seat_holders(offering):
    seat = SessionEnrollmentFactory(offering=offering, status=Enrollment.Status.CANCELLED)
    queued = WaitlistedEnrollmentFactory(offering=offering)
    queued.status = Enrollment.Status.CANCELLED
    queued.save()

    emails.offering_cancelled_send(offering=offering, enrollment=seat)
    emails.offering_cancelled_send(offering=offering, enrollment=queued)

    to_seat, to_queued = mail.outbox
    assert to_seat.subject == to_queued.subject == "Session cancelled: Sepsis recognition"
    assert invite(to_seat)[0] == "text/calendar; method=CANCEL; charset=utf-8"
    assert calendar_parts(to_queued) == []
    assert "Your place on the waitlist has been cancelled" in to_queued.body


def test_optional_emails_link_to_turn_them_off(offering):
    enrollment = SessionEnrollmentFactory(offering=offering)
    interest = SessionInterestFactory(item=offering.item)

    emails.session_reminder_send(enrollment=enrollment)
    emails.session_opened_send(interest=interest, offering=offering)

    reminder, opened = mail.outbox
    assert reminder.subject == "Reminder: Sepsis recognition starts Tuesday at 09:00"
    assert opened.subject == "New session open: Sepsis recognition"
    for message in (reminder, opened):
        assert f"Turn these emails off: {BASE}/me/notifications/" in message.body
        assert f'<a href="{BASE}/me/notifications/"' in html_part(message)
        assert "Turn these emails off</a>" in html_part(message)


def test_titles_are_escaped_in_html_and_plain_in_text():
    offering = OfferingFactory(item__title="Fish & chips <b>safety</b>")
    enrollment = SessionEnrollmentFactory(offering=offering)

    emails.enrollment_confirmation_send(enrollment=enrollment)

    message = _only_email()
    assert message.subject == "You're enrolled: Fish & chips <b>safety</b>"
    assert "Fish & chips <b>safety</b>" in message.body
    assert "Fish &amp; chips &lt;b&gt;safety&lt;/b&gt;" in html_part(message)
    assert "<b>safety</b>" not in html_part(message)


def _new_york_session():
    new_york = zoneinfo.ZoneInfo("America/New_York")
    starts_at = dt.datetime(2027, 6, 15, 14, 0, tzinfo=new_york)
    return OfferingFactory(
        item__title="Handover across sites",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        timezone="America/New_York",
    )


@pytest.mark.parametrize(
    ("reader_zone", "subject_time"),
    # 14:00 in New York is 19:00 in London, the organisation's zone (TIME_ZONE).
    [("", "19:00"), ("Europe/London", "19:00"), ("America/New_York", "14:00")],
)
def test_reminder_subject_gives_the_time_in_the_readers_zone(reader_zone, subject_time):
    enrollment = SessionEnrollmentFactory(offering=_new_york_session(), user__time_zone=reader_zone)

    emails.session_reminder_send(enrollment=enrollment)

    assert (
        _only_email().subject == f"Reminder: Handover across sites starts Tuesday at {subject_time}"
    )


def test_session_emails_show_the_readers_zone_and_note_the_sessions_own(settings):
    settings.TIME_ZONE = "Europe/London"
    offering = _new_york_session()
    londoner = SessionEnrollmentFactory(offering=offering)
    new_yorker = SessionEnrollmentFactory(offering=offering, user__time_zone="America/New_York")
    interest = SessionInterestFactory(item=offering.item, user__time_zone="Asia/Kolkata")

    for enrollment in (londoner, new_yorker):
        emails.enrollment_confirmation_send(enrollment=enrollment)
        emails.session_reminder_send(enrollment=enrollment)
        emails.offering_changed_send(offering=offering, enrollment=enrollment)
    emails.session_opened_send(interest=interest, offering=offering)

    by_reader = {}
    for message in mail.outbox:
        by_reader.setdefault(message.to[0], []).append(message)
    assert len(by_reader[londoner.user.email]) == len(by_reader[new_yorker.user.email]) == 3
    for message in by_reader[londoner.user.email]:
        for body in (message.body, html_part(message)):
            assert (
                "Tuesday 15 June 2027, 19:00–20:00 London time (14:00–15:00 New York time)" in body
            )
    for message in by_reader[new_yorker.user.email]:
        for body in (message.body, html_part(message)):
            assert "Tuesday 15 June 2027, 14:00–15:00 New York time" in body
            assert "London time" not in body
    (opened,) = by_reader[interest.user.email]
    # 23:30 in Kolkata: the same day in both zones, so only the times differ.
    assert "Tuesday 15 June 2027, 23:30–00:30 (next day) Kolkata time" in opened.body
    assert "New York time" in opened.body
