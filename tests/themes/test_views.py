import datetime as dt

import icalendar
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.people.factories import DepartmentFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory, add_months, first_of_month
from themes.models import Theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def current_theme():
    theme = ThemeFactory(
        title="Rest and recovery",
        slug="rest-and-recovery",
        month=first_of_month(),
        introduction="Sleep after **night shifts**.<script>alert(1)</script>",
        released=True,
    )
    ThemeItemFactory(
        theme=theme,
        item=ItemFactory(title="Sleep science", duration_minutes=45),
        position=1,
        curator_note="Ten minutes that change your week.",
    )
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Breathing breaks"), position=2)
    return theme


def test_front_page_shows_the_current_theme_as_hero(client, current_theme):
    response = client.get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Rest and recovery" in content
    assert "Explore this month's theme" in content
    assert f'href="{current_theme.get_absolute_url()}"' in content
    assert "Sleep science" in content
    assert "/catalog/sleep-science/?source=theme_page" in content
    assert "<script>alert" not in content


def test_front_page_without_a_released_theme_invites_to_browse(client):
    ThemeFactory(
        state=Theme.State.SCHEDULED,
        month=first_of_month(),
        release_at=timezone.now() + dt.timedelta(hours=2),
        title="Secret plans",
    )

    content = client.get(reverse("home")).content.decode()

    assert "Learning you choose" in content
    assert "Secret plans" not in content


def test_theme_page_lists_items_in_order_with_notes_and_theme_page_source(client, current_theme):
    response = client.get(current_theme.get_absolute_url())

    content = response.content.decode()
    assert response.status_code == 200
    assert content.index("Sleep science") < content.index("Breathing breaks")
    assert "Ten minutes that change your week." in content
    assert "45 min" in content
    assert "Course" in content
    assert 'href="/catalog/sleep-science/?source=theme_page"' in content
    assert "View and enroll" in content
    # The introduction is Markdown, sanitized.
    assert "<strong>night shifts</strong>" in content
    assert "<script>alert" not in content
    assert "Preview" not in content


def test_theme_page_lists_featured_sessions_with_dates(client, current_theme):
    session = OfferingFactory(
        item=ItemFactory(title="Night shift clinic", delivery="scheduled"),
        starts_at=dt.datetime(2031, 3, 4, 9, 30, tzinfo=dt.UTC),
    )
    current_theme.featured_offerings.add(session)

    content = client.get(current_theme.get_absolute_url()).content.decode()

    assert "Night shift clinic" in content
    assert "Tue 4 Mar 2031, 09:30" in content
    assert reverse("themes:sessions_ics", args=[current_theme.slug]) in content


def test_theme_page_hides_restricted_items_from_people_outside_the_audience(
    client_as, employee, current_theme
):
    pharmacy = DepartmentFactory(name="Pharmacy")
    ThemeItemFactory(
        theme=current_theme,
        item=ItemFactory(
            title="Controlled drugs audit", audiences=[AudienceFactory(departments=[pharmacy])]
        ),
    )

    content = client_as(employee).get(current_theme.get_absolute_url()).content.decode()

    assert "Sleep science" in content
    assert "Controlled drugs audit" not in content


@pytest.mark.parametrize("state", [Theme.State.DRAFT, Theme.State.SCHEDULED])
def test_unreleased_theme_is_404_for_employees_and_a_preview_for_admins(
    state, client, client_as, employee, admin_user
):
    release_at = timezone.now() + dt.timedelta(days=3) if state == Theme.State.SCHEDULED else None
    theme = ThemeFactory(state=state, release_at=release_at, title="Not yet")

    assert client_as(employee).get(theme.get_absolute_url()).status_code == 404
    client.logout()
    assert client.get(theme.get_absolute_url()).status_code == 404
    response = client_as(admin_user).get(theme.get_absolute_url())
    assert response.status_code == 200
    assert "Preview" in response.content.decode()
    assert "Only learning admins can see it now." in response.content.decode()


def test_year_calendar_links_released_themes_and_keeps_upcoming_titles_secret(client):
    this_month = first_of_month()
    released = ThemeFactory(month=this_month, released=True, title="Out now")
    ThemeFactory(
        month=add_months(this_month, 1),
        state=Theme.State.SCHEDULED,
        release_at=timezone.now() + dt.timedelta(days=40),
        title="Hush hush",
    )
    year = this_month.year

    response = client.get(reverse("themes:calendar"), {"year": year})

    content = response.content.decode()
    assert response.status_code == 200
    assert f'href="{released.get_absolute_url()}"' in content
    assert "Hush hush" not in content
    next_month = add_months(this_month, 1)
    if next_month.year == year:
        assert f"Coming {next_month:%B}" in content
    for number in range(1, 13):
        assert dt.date(year, number, 1).strftime("%B") in content


@pytest.mark.parametrize("year", ["abc", "1999", "-1"])
def test_year_calendar_rejects_a_bad_year_with_a_reason(client, year):
    response = client.get(reverse("themes:calendar"), {"year": year})

    assert response.status_code == 400
    assert b"The year must be a number between" in response.content


def test_archive_lists_past_released_themes(client):
    this_month = first_of_month()
    past = ThemeFactory(month=add_months(this_month, -1), released=True, title="Last month")
    ThemeFactory(month=this_month, released=True, title="This month")
    ThemeFactory(
        month=add_months(this_month, -2),
        state=Theme.State.ARCHIVED,
        release_at=timezone.now() - dt.timedelta(days=70),
        title="Withdrawn",
    )

    content = client.get(reverse("themes:archive")).content.decode()

    assert past.get_absolute_url() in content
    assert "This month" not in content
    assert "Withdrawn" not in content


def test_archive_has_an_empty_state(client):
    assert b"No past themes yet." in client.get(reverse("themes:archive")).content


def test_releases_feed_is_valid_icalendar_with_all_day_events_and_stable_uids(client):
    released = ThemeFactory(
        month=dt.date(2030, 1, 1),
        state=Theme.State.PUBLISHED,
        release_at=dt.datetime(2030, 1, 1, 7, 0, tzinfo=dt.UTC),
        title="Out now",
    )
    upcoming = ThemeFactory(
        month=dt.date(2099, 2, 1),
        state=Theme.State.SCHEDULED,
        release_at=dt.datetime(2099, 2, 1, 7, 0, tzinfo=dt.UTC),
        title="Hush hush",
    )
    ThemeFactory(month=dt.date(2099, 3, 1), state=Theme.State.DRAFT, title="Draft")
    url = reverse("themes:releases_ics")

    with time_machine.travel(dt.datetime(2031, 1, 1, tzinfo=dt.UTC)):
        first = client.get(url)
        second = client.get(url)

    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(first.content)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {
        f"theme-{released.pk}-release@127.0.0.1",
        f"theme-{upcoming.pk}-release@127.0.0.1",
    }
    out_now = events[f"theme-{released.pk}-release@127.0.0.1"]
    assert out_now.decoded("DTSTART") == dt.date(2030, 1, 1)
    assert out_now.decoded("DTEND") == dt.date(2030, 1, 2)
    assert str(out_now["SUMMARY"]) == "Learning theme: Out now"
    assert "Hush hush" not in first.content.decode()
    second_uids = {
        str(e["UID"]) for e in icalendar.Calendar.from_ical(second.content).walk("VEVENT")
    }
    assert second_uids == set(events)


def test_sessions_feed_has_the_theme_sessions_with_their_time_zone(client, current_theme):
    session = OfferingFactory(
        item=ItemFactory(title="Night shift clinic", delivery="scheduled"),
        starts_at=dt.datetime(2031, 7, 4, 8, 30, tzinfo=dt.UTC),
        timezone="Europe/London",
    )
    cancelled = OfferingFactory(status="cancelled")
    current_theme.featured_offerings.add(session, cancelled)

    response = client.get(reverse("themes:sessions_ics", args=[current_theme.slug]))

    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"offering-{session.pk}@127.0.0.1"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == dt.datetime(2031, 7, 4, 8, 30, tzinfo=dt.UTC)
    assert str(event["SUMMARY"]) == "Night shift clinic"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_sessions_feed_of_an_unreleased_theme_is_404(client):
    theme = ThemeFactory(state=Theme.State.DRAFT)

    assert client.get(reverse("themes:sessions_ics", args=[theme.slug])).status_code == 404


def test_front_page_falls_back_to_the_latest_released_theme_without_calling_it_this_months(
    client,
):
    ThemeFactory(month=add_months(first_of_month(), -1), released=True, title="Last month's")

    content = client.get(reverse("home")).content.decode()

    assert "Last month&#x27;s" in content
    assert "Explore the theme" in content
    assert "Explore this month's theme" not in content


def test_a_released_theme_page_links_to_its_catalog(client, current_theme):
    content = client.get(current_theme.get_absolute_url()).content.decode()

    assert reverse("themes:catalog", kwargs={"slug": current_theme.slug}) in content


def test_sessions_feed_never_carries_a_sessions_join_link(client, current_theme):
    online = OfferingFactory(
        location="", online_url="https://meet.example.org/secret-room", item__title="Online one"
    )
    current_theme.featured_offerings.add(online)

    response = client.get(reverse("themes:sessions_ics", args=[current_theme.slug]))

    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["LOCATION"]) == "Online"
    assert b"secret-room" not in response.content
