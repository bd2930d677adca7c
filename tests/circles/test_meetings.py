"""The meeting series: invites, the feed, moving and cancelling, reminders and RSVPs."""

import datetime as dt

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from circles import services, tasks
from circles.models import Rsvp
from circles.tokens import RSVP_MAX_AGE, feed_token, rsvp_token
from tests.circles.factories import make_circle
from tests.notifications.factories import EmailPreferenceFactory
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def ics_of(message) -> Calendar:
    (attachment,) = [a for a in message.attachments if "calendar" in str(a.get_content_type())]
    return Calendar.from_ical(attachment.get_payload(decode=True))


def events(calendar):
    return [c for c in calendar.walk("VEVENT")]


@pytest.fixture
def circle_with_member(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        circle = make_circle(state="open")
        member = EmployeeFactory().user
        services.circle_join(user=member, circle=circle)
    return circle, member


def mails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


# --- invites ------------------------------------------------------------------------------------


def test_joining_sends_one_series_invite_with_a_weekly_rule_in_the_circles_zone(
    circle_with_member,
):
    circle, member = circle_with_member

    (invite_mail,) = [m for m in mails_to(member) if "Your meetings" in m.subject]
    calendar = ics_of(invite_mail)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = events(calendar)
    assert str(event["UID"]) == f"offering-{circle.offering_id}-user-{member.pk}@127.0.0.1"
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert event["RRULE"]["COUNT"] == [3]
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/London"
    assert start.time() == dt.time(12, 30)
    assert event["SEQUENCE"] == 0
    assert "teams.microsoft.com" in str(event["DESCRIPTION"])
    assert calendar.walk("VTIMEZONE")
    # Running the sync again (beat) sends nothing more.
    assert tasks.sync_circle_invites(circle.pk) == 0


def test_leaving_sends_a_cancel_with_a_higher_sequence_and_a_rejoin_a_new_invite(
    circle_with_member, django_capture_on_commit_callbacks
):
    circle, member = circle_with_member
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.circle_leave(user=member, circle=circle)
    (cancel,) = [m for m in mails_to(member) if "Removed from your calendar" in m.subject]
    cancelled = ics_of(cancel)
    assert cancelled["METHOD"] == "CANCEL"
    assert events(cancelled)[0]["SEQUENCE"] == 1

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_join(user=member, circle=circle)
    (again,) = [m for m in mails_to(member) if "Your meetings" in m.subject]
    assert events(ics_of(again))[0]["SEQUENCE"] == 2


def test_someone_promoted_from_the_waitlist_gets_the_invite_from_the_sync(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        circle = make_circle(state="open", seat_cap=2)
        first, _, waiting = [EmployeeFactory().user for _ in range(3)]
        for user in (first, _, waiting):
            services.circle_join(user=user, circle=circle)
    assert not [m for m in mails_to(waiting) if "Your meetings" in m.subject]

    with django_capture_on_commit_callbacks(execute=True):
        services.circle_leave(user=first, circle=circle)

    assert [m for m in mails_to(waiting) if "Your meetings" in m.subject]


# --- moving and cancelling ----------------------------------------------------------------------


def test_moving_a_meeting_sends_one_notice_with_an_override_and_a_higher_sequence(
    circle_with_member, django_capture_on_commit_callbacks
):
    circle, member = circle_with_member
    week2 = circle.meetings.get(week=2)
    new_start = week2.starts_at + dt.timedelta(days=1, hours=2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_move(meeting=week2, actor=circle.proposed_by, starts_at=new_start)
    tasks.send_meeting_changed(week2.pk)  # a redelivery sends nothing more

    (notice,) = mails_to(member)
    assert "Moved: week 2" in notice.subject
    master, override = events(ics_of(notice))
    assert master["SEQUENCE"] == override["SEQUENCE"] == 1
    assert override.decoded("RECURRENCE-ID") == week2.scheduled_for
    assert override.decoded("DTSTART") == new_start
    circle.offering.refresh_from_db()
    assert circle.offering.sequence == 1
    week2.refresh_from_db()
    assert week2.ends_at - week2.starts_at == dt.timedelta(minutes=30)


def test_moving_the_last_meeting_moves_the_sessions_span_with_it(circle_with_member):
    circle, _ = circle_with_member
    last = circle.meetings.get(week=3)
    later = last.starts_at + dt.timedelta(days=7)

    services.meeting_move(meeting=last, actor=circle.proposed_by, starts_at=later)

    circle.offering.refresh_from_db()
    assert circle.offering.ends_at == later + dt.timedelta(minutes=30)
    assert circle.offering.sequence == 1


def test_cancelling_a_meeting_puts_an_exdate_in_the_invite_and_tells_members(
    circle_with_member, django_capture_on_commit_callbacks
):
    circle, member = circle_with_member
    week2 = circle.meetings.get(week=2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=week2, actor=circle.proposed_by)

    (notice,) = mails_to(member)
    assert "Cancelled: week 2" in notice.subject
    (master,) = events(ics_of(notice))
    exdates = [d.dt for d in master["EXDATE"].dts]
    assert exdates == [week2.scheduled_for]
    with pytest.raises(ValidationError) as error:
        services.meeting_cancel(meeting=week2, actor=circle.proposed_by)
    assert error.value.messages == [services.MEETING_CANCELLED]


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (dt.timedelta(days=-60), services.MEETING_NOT_IN_FUTURE),
        (dt.timedelta(days=7), services.MEETING_CLASH),
    ],
)
def test_a_move_into_the_past_or_onto_another_meeting_is_refused(
    circle_with_member, shift, message
):
    circle, _ = circle_with_member
    week1 = circle.meetings.get(week=1)

    with pytest.raises(ValidationError) as error:
        services.meeting_move(
            meeting=week1, actor=circle.proposed_by, starts_at=week1.starts_at + shift
        )

    assert error.value.messages == [message]


def test_only_facilitators_move_meetings(circle_with_member):
    circle, member = circle_with_member
    meeting = circle.meetings.get(week=1)

    with pytest.raises(ValidationError) as error:
        services.meeting_move(
            meeting=meeting, actor=member, starts_at=meeting.starts_at + dt.timedelta(hours=1)
        )

    assert error.value.messages == [services.NOT_ALLOWED]


# --- the feed -----------------------------------------------------------------------------------


def test_a_members_feed_link_works_without_signing_in_and_lists_the_series(
    client, circle_with_member
):
    circle, member = circle_with_member
    services.meeting_cancel(meeting=circle.meetings.get(week=3), actor=circle.proposed_by)
    url = reverse("circles:calendar", args=[circle.slug])

    response = client.get(url, {"key": feed_token(circle=circle, user=member)})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert "METHOD" not in calendar
    (event,) = events(calendar)
    assert str(event["UID"]) == f"circle-{circle.pk}@127.0.0.1"
    assert len(event["EXDATE"].dts) == 1
    assert client.get(url, {"key": "forged"}).status_code == 404
    assert client.get(url).status_code == 404


def test_a_feed_link_stops_working_when_the_person_leaves(client, circle_with_member):
    circle, member = circle_with_member
    token = feed_token(circle=circle, user=member)
    services.circle_leave(user=member, circle=circle)

    response = client.get(reverse("circles:calendar", args=[circle.slug]), {"key": token})

    assert response.status_code == 404


# --- reminders ----------------------------------------------------------------------------------


def test_reminders_go_the_day_before_once_per_member_with_the_note_and_rsvp_links(
    circle_with_member,
):
    circle, member = circle_with_member
    week1 = circle.meetings.get(week=1)
    services.meeting_move(
        meeting=week1,
        actor=circle.proposed_by,
        starts_at=week1.starts_at,
        reminder_note="Read the foreword too.",
    )
    mail.outbox.clear()

    with time_machine.travel(week1.starts_at - dt.timedelta(hours=30)):
        assert tasks.send_meeting_reminders() == 0
    with time_machine.travel(week1.starts_at - dt.timedelta(hours=23)):
        assert tasks.send_meeting_reminders() == 2  # the member and the facilitator
        assert tasks.send_meeting_reminders() == 0

    (reminder,) = mails_to(member)
    assert "Tomorrow" in reminder.subject
    assert "Read the foreword too." in reminder.body
    assert "/circles/rsvp/" in reminder.body
    assert "answer=yes" in reminder.body
    assert reminder.extra_headers.get("List-Unsubscribe")


def test_a_moved_meeting_is_reminded_again_and_opted_out_people_get_none(circle_with_member):
    circle, member = circle_with_member
    EmailPreferenceFactory(user=circle.proposed_by, session_reminders=False)
    week1 = circle.meetings.get(week=1)
    with time_machine.travel(week1.starts_at - dt.timedelta(hours=23)):
        assert tasks.send_meeting_reminders() == 1
    later = week1.starts_at + dt.timedelta(hours=3)
    services.meeting_move(meeting=week1, actor=circle.proposed_by, starts_at=later)

    with time_machine.travel(later - dt.timedelta(hours=23)):
        assert tasks.send_meeting_reminders() == 1
    assert len([m for m in mails_to(member) if "Tomorrow" in m.subject]) == 2
    assert not [m for m in mails_to(circle.proposed_by) if "Tomorrow" in m.subject]


# --- RSVP ---------------------------------------------------------------------------------------


def test_rsvp_by_signed_link_asks_on_get_and_records_on_post_without_signing_in(
    client, circle_with_member
):
    circle, member = circle_with_member
    meeting = circle.meetings.get(week=1)
    url = reverse("circles:rsvp", args=[rsvp_token(meeting=meeting, user=member)])

    page = client.get(url, {"answer": "yes"})
    assert page.status_code == 200
    assert not Rsvp.objects.exists()  # a link scanner's GET records nothing

    response = client.post(url, {"answer": "no"})
    assert response.status_code == 200
    assert Rsvp.objects.get(meeting=meeting, user=member).answer == "no"
    client.post(url, {"answer": "yes"})
    assert Rsvp.objects.get(meeting=meeting, user=member).answer == "yes"


def test_a_tampered_rsvp_link_is_refused(client, circle_with_member):
    circle, member = circle_with_member
    meeting = circle.meetings.get(week=1)
    token = rsvp_token(meeting=meeting, user=member)
    other = EmployeeFactory().user
    forged = signing.dumps({"m": meeting.pk, "u": other.pk, "e": 2**40}, salt="wrong-salt")
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (forged, altered):
        response = client.post(reverse("circles:rsvp", args=[bad]), {"answer": "yes"})
        assert response.status_code == 400
    assert not Rsvp.objects.exists()


def test_an_rsvp_link_expires_when_the_meeting_ends_and_after_its_max_age(
    client, circle_with_member
):
    circle, member = circle_with_member
    meeting = circle.meetings.get(week=1)
    url = reverse("circles:rsvp", args=[rsvp_token(meeting=meeting, user=member)])

    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=1)):
        assert client.post(url, {"answer": "yes"}).status_code == 410
    # A link older than RSVP_MAX_AGE is refused even if its meeting were still ahead.
    with time_machine.travel(dt.datetime.now(dt.UTC) + RSVP_MAX_AGE + dt.timedelta(hours=1)):
        assert client.post(url, {"answer": "yes"}).status_code == 410
    assert not Rsvp.objects.exists()


def test_someone_who_left_cannot_rsvp_with_an_old_link(client, circle_with_member):
    circle, member = circle_with_member
    meeting = circle.meetings.get(week=1)
    url = reverse("circles:rsvp", args=[rsvp_token(meeting=meeting, user=member)])
    services.circle_leave(user=member, circle=circle)

    response = client.post(url, {"answer": "yes"})

    assert response.status_code == 400
    assert services.RSVP_NOT_MEMBER.encode() in response.content.replace(b"&#x27;", b"'")
    assert not Rsvp.objects.exists()


# --- the manage page ----------------------------------------------------------------------------


def test_the_facilitator_moves_a_meeting_from_the_manage_page(client_as, circle_with_member):
    circle, _ = circle_with_member
    client = client_as(circle.proposed_by)
    week2 = circle.meetings.get(week=2)
    local = week2.local_starts_at + dt.timedelta(days=1)

    page = client.get(reverse("circles:manage", args=[circle.slug]))
    assert b"Save week 2" in page.content
    client.post(
        reverse("circles:meeting_edit", args=[circle.slug, 2]),
        {"date": local.date().isoformat(), "time": "13:15", "reminder_note": "Bring a case"},
    )

    week2.refresh_from_db()
    assert week2.local_starts_at.date() == local.date()
    assert week2.local_starts_at.time() == dt.time(13, 15)
    assert week2.reminder_note == "Bring a case"


def test_members_cannot_reach_the_meeting_forms(client_as, circle_with_member):
    circle, member = circle_with_member

    response = client_as(member).post(reverse("circles:meeting_cancel", args=[circle.slug, 1]))

    assert response.status_code == 404
    assert not circle.meetings.filter(status="cancelled").exists()
