"""Times in the viewer's zone (issue 14, item 4): a profile setting, the same time on the card
and on the item page, and "Add to calendar"."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("profile")
# 14:00 UTC on a December day: 14:00 in London, 09:00 in New York, 15:00 in Berlin.
STARTS = dt.datetime(2031, 12, 9, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def new_york_session():
    return OfferingFactory(
        item=ItemFactory(title="Sepsis simulation", delivery="scheduled", format="live_session"),
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        timezone="America/New_York",
        location="Simulation suite",
    )


def choose_zone(client, zone):
    return client.post(PROFILE_URL, {"time_zone": zone, "save_time_zone": "1"})


def test_profile_offers_the_organisations_zone_by_default_and_saves_a_choice(client_as):
    person = EmployeeFactory()
    client = client_as(person)

    page = client.get(PROFILE_URL).content.decode()
    assert "Organisation&#x27;s: Europe/London</option>" in page

    response = choose_zone(client, "Europe/Berlin")

    assert response.status_code == 302
    person.user.refresh_from_db()
    assert person.user.time_zone == "Europe/Berlin"


def test_profile_refuses_an_unknown_zone_and_keeps_the_old_one(client_as):
    person = EmployeeFactory(user__time_zone="Europe/Berlin")

    response = choose_zone(client_as(person), "Mars/Olympus_Mons")

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    person.user.refresh_from_db()
    assert person.user.time_zone == "Europe/Berlin"


def test_item_page_shows_sessions_in_the_viewers_zone_noting_the_sessions_own(
    client_as, new_york_session
):
    client = client_as(EmployeeFactory())
    london = client.get(new_york_session.item.get_absolute_url()).content.decode()
    assert 'Tue 9 Dec 2031, 14:00–16:00</time> <span class="session-zone">London time' in london
    assert "(09:00–11:00 New York time, where it is held)" in london

    choose_zone(client, "Europe/Berlin")
    berlin = client.get(new_york_session.item.get_absolute_url()).content.decode()
    assert 'Tue 9 Dec 2031, 15:00–17:00</time> <span class="session-zone">Berlin time' in berlin
    assert "14:00–16:00" not in berlin


def test_card_and_item_page_show_the_same_start_in_the_viewers_zone(client_as, new_york_session):
    # The zone chosen before this session began comes with the sign-in.
    client = client_as(EmployeeFactory(user__time_zone="Asia/Tokyo"))

    catalog = client.get(reverse("catalog:list")).content.decode()
    item_page = client.get(new_york_session.item.get_absolute_url()).content.decode()

    # 14:00 UTC is 23:00 in Tokyo.
    assert "Tue 9 Dec 2031, 23:00</time> Tokyo time" in catalog
    assert "Tue 9 Dec 2031, 23:00–01:00 (next day)</time>" in item_page
    assert "(09:00–11:00 New York time, where it is held)" in item_page


def test_a_seated_person_adds_their_session_to_their_calendar(client_as, new_york_session):
    person = EmployeeFactory()
    enrollment = enroll(person.user, new_york_session)
    client = client_as(person)

    page = client.get(new_york_session.item.get_absolute_url()).content.decode()
    url = reverse("enrollment:calendar_file", args=[enrollment.pk])
    assert f'href="{url}" download>Add to calendar' in page

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event["DTSTART"].dt == STARTS
    assert str(event["SUMMARY"]) == "Sepsis simulation"


def test_nobody_downloads_another_persons_session_or_a_waitlist_place(client_as):
    full = OfferingFactory(capacity=1)
    seated = enroll(EmployeeFactory().user, full)
    waiting_person = EmployeeFactory()
    waiting = enroll(waiting_person.user, full)
    assert waiting.status == "waitlisted"
    client = client_as(waiting_person)

    assert client.get(reverse("enrollment:calendar_file", args=[seated.pk])).status_code == 404
    assert client.get(reverse("enrollment:calendar_file", args=[waiting.pk])).status_code == 404
