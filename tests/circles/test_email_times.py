"""Circle emails give meeting times in the reader's zone (their profile's, else the
organisation's), noting the circle's own zone when its clock reads otherwise (issue 14, item 4)."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail

from circles import emails
from tests.circles.factories import make_circle
from tests.notifications.helpers import html_part
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_york_circle(settings):
    settings.TIME_ZONE = "Europe/London"
    return make_circle(state="open", timezone_name="America/New_York", meeting_time=dt.time(9, 0))


def _expected(meeting, zone: str) -> tuple[str, str]:
    start = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    end = meeting.ends_at.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{start:%H:%M}–{end:%H:%M}", f"{start:%A} {start.day} {start:%B}"


def test_meeting_reminder_reads_in_the_recipients_zone(new_york_circle):
    meeting = new_york_circle.meetings.get(week=1)
    londoner = UserFactory()
    new_yorker = UserFactory(time_zone="America/New_York")

    emails.meeting_reminder_send(meeting=meeting, user=londoner)
    emails.meeting_reminder_send(meeting=meeting, user=new_yorker)

    to_london, to_new_york = mail.outbox
    london_times, london_day = _expected(meeting, "Europe/London")
    new_york_times, _ = _expected(meeting, "America/New_York")
    assert new_york_times.startswith("09:00")
    for body in (to_london.body, html_part(to_london)):
        assert f"{london_day}" in body
        assert f"{london_times} London time ({new_york_times} New York time)" in body
    for body in (to_new_york.body, html_part(to_new_york)):
        assert f"{new_york_times} New York time" in body
        assert "London time" not in body


def test_meeting_changed_lists_the_meetings_ahead_in_the_recipients_zone(new_york_circle):
    meeting = new_york_circle.meetings.get(week=2)
    londoner = UserFactory()

    emails.meeting_changed_send(meeting=meeting, user=londoner)

    (message,) = mail.outbox
    london_times, _ = _expected(meeting, "Europe/London")
    for body in (message.body, html_part(message)):
        assert f"{london_times} London time" in body
        assert "Times in London time (held on New York time)" in body
        assert "America/New_York" not in body
