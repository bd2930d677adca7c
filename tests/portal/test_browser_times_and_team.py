"""A person sets their time zone and a manager suggests to their team, in real Chromium."""

import datetime as dt
from pathlib import Path

import pytest

from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.people.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STARTS = dt.datetime(2031, 12, 9, 14, 0, tzinfo=dt.UTC)


def test_a_person_picks_a_time_zone_enrolls_and_adds_the_session_to_the_calendar(browser_login):
    person = EmployeeFactory()
    session = OfferingFactory(
        item=ItemFactory(title="Sepsis simulation", delivery="scheduled"),
        starts_at=STARTS,
        ends_at=STARTS + dt.timedelta(hours=2),
        timezone="Europe/London",
    )
    page = browser_login(person.user)

    page.goto("/")
    page.get_by_role("link", name=person.user.get_short_name() or person.user.email).click()
    page.get_by_role("combobox", name="Time zone").select_option("America/New_York")
    page.get_by_role("button", name="Save time zone").click()
    assert "Your time zone is saved" in page.content()

    page.goto(session.item.get_absolute_url())
    choice = page.locator(f"#session-{session.pk}").last
    assert "09:00–11:00 New York time" in choice.inner_text()
    assert "(14:00–16:00 London time, where it is held)" in choice.inner_text()
    choice.get_by_role("link", name="Enroll").click()
    page.get_by_role("button", name="Confirm enrollment").click()

    page.goto(session.item.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    assert download.value.suggested_filename == f"{session.item.slug}.ics"
    assert "BEGIN:VEVENT" in Path(download.value.path()).read_text()


def test_a_manager_suggests_to_the_team_sees_until_when_and_withdraws(browser_login):
    manager = EmployeeFactory(is_manager=True)
    EmployeeFactory(manager=manager)
    item = ItemFactory(title="Kindness in handovers")
    page = browser_login(manager.user)

    page.goto(item.get_absolute_url())
    page.get_by_role("button", name="Suggest to my team").click()
    assert "Suggested to your team" in page.locator(".suggest-to-team").inner_text()

    page.get_by_role("link", name="My team").click()
    assert page.get_by_role("heading", name="Suggestions to your team").is_visible()
    assert "Kindness in handovers" in page.locator("table").inner_text()

    page.goto(item.get_absolute_url())
    page.get_by_role("button", name="Withdraw the suggestion").click()
    assert "The suggestion was withdrawn" in page.content()
    assert page.get_by_role("button", name="Suggest to my team").is_visible()
