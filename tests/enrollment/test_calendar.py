import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from icalendar import Calendar

from catalog.models import Offering
from enrollment.calendar import (
    CANCEL,
    PUBLISH,
    REQUEST,
    invite_mimetype,
    invite_uid,
    offering_invite,
)
from enrollment.models import Enrollment, TranscriptEvent
from tests.catalog.factories import OfferingFactory
from tests.enrollment.factories import SessionEnrollmentFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _event(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


@pytest.fixture
def offering():
    starts_at = dt.datetime(2027, 3, 9, 9, 30, tzinfo=NEW_YORK)
    return OfferingFactory(
        item__title="Wound care update",
        item__slug="wound-care-update",
        item__summary="What changed in dressing selection.",
        title="Spring cohort",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=3),
        timezone="America/New_York",
        location="Education Centre, Room 2",
        online_url="",
    )


def _withdraw(enrollment: Enrollment) -> None:
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.withdrawn_at = timezone.now()
    enrollment.save()
    TranscriptEvent.objects.create(
        user=enrollment.user,
        enrollment=enrollment,
        item=enrollment.item,
        offering=enrollment.offering,
        kind=TranscriptEvent.Kind.WITHDREW,
        source=enrollment.source,
        actor=enrollment.user,
        occurred_at=timezone.now(),
    )


def test_request_invite_describes_the_session_in_its_own_time_zone(offering, settings):
    settings.PORTAL_BASE_URL = "https://learning.example.org"
    settings.DEFAULT_FROM_EMAIL = "Learning Team <learning@example.org>"
    user = UserFactory(email="ana@example.org", first_name="Ana", last_name="Silva")

    ics = offering_invite(offering=offering, user=user, method=REQUEST)
    calendar, event = _event(ics)

    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//Learning Portal//Enrollment//EN"
    assert event["UID"] == f"offering-{offering.pk}-user-{user.pk}@learning.example.org"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == "Wound care update — Spring cohort"
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event["DTSTART"].dt == dt.datetime(2027, 3, 9, 9, 30, tzinfo=NEW_YORK)
    assert event["DTEND"].dt == dt.datetime(2027, 3, 9, 12, 30, tzinfo=NEW_YORK)
    assert "DTSTAMP" in event
    assert event["LOCATION"] == "Education Centre, Room 2"
    assert event["URL"] == "https://learning.example.org/catalog/wound-care-update/"
    assert "https://learning.example.org/catalog/wound-care-update/" in event["DESCRIPTION"]
    assert "What changed in dressing selection." in event["DESCRIPTION"]
    assert str(event["ORGANIZER"]) == "mailto:learning@example.org"
    assert event["ORGANIZER"].params["CN"] == "Learning Team"
    assert str(event["ATTENDEE"]) == "mailto:ana@example.org"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    assert event["ATTENDEE"].params["CN"] == "Ana Silva"
    # A VTIMEZONE for the TZID, so clients without the zone database place it correctly.
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert calendar.get_missing_tzids() == set()
    # Local wall-clock time with the zone, as calendar clients expect (not UTC).
    assert b"DTSTART;TZID=America/New_York:20270309T093000" in ics
    assert b"DTEND;TZID=America/New_York:20270309T123000" in ics


def test_online_session_uses_the_video_link_as_location():
    offering = OfferingFactory(location="", online_url="https://meet.example.org/abc")
    user = UserFactory()

    _, event = _event(offering_invite(offering=offering, user=user, method=REQUEST))

    assert event["LOCATION"] == "https://meet.example.org/abc"
    assert "Join online: https://meet.example.org/abc" in event["DESCRIPTION"]


def test_uid_is_stable_across_request_change_and_cancel(offering):
    user = UserFactory()
    first = _event(offering_invite(offering=offering, user=user, method=REQUEST))[1]
    Offering.objects.filter(pk=offering.pk).update(sequence=1)
    offering.refresh_from_db()
    changed = _event(offering_invite(offering=offering, user=user, method=REQUEST))[1]
    cancelled = _event(offering_invite(offering=offering, user=user, method=CANCEL))[1]

    assert first["UID"] == changed["UID"] == cancelled["UID"]
    assert first["UID"] == invite_uid(offering=offering, user=user)


def test_uid_differs_per_person_and_per_session(offering):
    ana, ben = UserFactory(), UserFactory()
    other_session = OfferingFactory(item=offering.item)

    uids = {
        invite_uid(offering=offering, user=ana),
        invite_uid(offering=offering, user=ben),
        invite_uid(offering=other_session, user=ana),
    }

    assert len(uids) == 3


def test_sequence_follows_the_offering_when_it_changes(offering):
    user = UserFactory()
    Offering.objects.filter(pk=offering.pk).update(sequence=3)
    offering.refresh_from_db()

    _, event = _event(offering_invite(offering=offering, user=user, method=REQUEST))

    assert event["SEQUENCE"] == 3


def test_cancel_outranks_the_last_request_and_a_reenrollment_outranks_the_cancel(offering):
    enrollment = SessionEnrollmentFactory(offering=offering)
    user = enrollment.user
    request = _event(offering_invite(offering=offering, user=user, method=REQUEST))[1]

    _withdraw(enrollment)
    calendar, cancel = _event(offering_invite(offering=offering, user=user, method=CANCEL))
    SessionEnrollmentFactory(offering=offering, user=user)
    again = _event(offering_invite(offering=offering, user=user, method=REQUEST))[1]

    assert calendar["METHOD"] == "CANCEL"
    assert cancel["STATUS"] == "CANCELLED"
    assert request["SEQUENCE"] < cancel["SEQUENCE"] < again["SEQUENCE"]
    assert request["UID"] == cancel["UID"] == again["UID"]


def test_cancel_for_a_cancelled_session_outranks_the_invite_without_a_recorded_departure(
    offering,
):
    user = UserFactory()

    _, cancel = _event(offering_invite(offering=offering, user=user, method=CANCEL))

    assert cancel["SEQUENCE"] == offering.sequence + 1


def test_unknown_method_is_refused(offering):
    with pytest.raises(ValueError, match="COUNTER"):
        offering_invite(offering=offering, user=UserFactory(), method="COUNTER")


def test_a_downloaded_event_is_the_emailed_invite_without_its_attendee(offering):
    user = UserFactory()

    _, invite = _event(offering_invite(offering=offering, user=user, method=REQUEST))
    calendar, download = _event(offering_invite(offering=offering, user=user, method=PUBLISH))

    assert calendar["METHOD"] == "PUBLISH"
    assert download["UID"] == invite["UID"]
    assert download["SEQUENCE"] == invite["SEQUENCE"]
    assert download["DTSTART"].dt == invite["DTSTART"].dt
    assert "ATTENDEE" not in download


def test_mimetype_names_the_method():
    assert invite_mimetype(REQUEST) == "text/calendar; method=REQUEST; charset=utf-8"
    assert invite_mimetype(CANCEL) == "text/calendar; method=CANCEL; charset=utf-8"
