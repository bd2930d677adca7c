"""A circle's whole life in real Chromium: start, join from the widget, post, wrap up, archive."""

import datetime as dt
import os

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from circles import services
from circles.models import Circle, Post
from enrollment.models import TranscriptEvent
from tests.catalog.factories import ItemFactory
from tests.circles.factories import make_circle
from tests.people.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_start_join_from_the_widget_post_wrap_up_and_find_it_in_the_archive(
    browser_page, browser_login, settings
):
    settings.CIRCLES_REQUIRE_APPROVAL = False
    # The story jumps days ahead with the facilitator still signed in; the session limits
    # (idle 8 h, absolute 12 h) would rightly end that session, which is not what this tests.
    month = 30 * 24 * 60 * 60
    settings.SESSION_IDLE_TIMEOUT = settings.SESSION_ABSOLUTE_TIMEOUT = month
    settings.SESSION_COOKIE_AGE = month  # how long the stored session itself lives
    ItemFactory(title="Purple Cow", format="book", summary="Seth Godin on being remarkable.")
    starter = EmployeeFactory(user__first_name="Ada", user__last_name="Starter").user
    joiner = EmployeeFactory(user__first_name="Ben", user__last_name="Joiner").user
    page = browser_page
    # Within the week ahead, so the widget names its weekday.
    first_meeting = timezone.localdate() + dt.timedelta(days=3)

    # The first employee starts a circle with the guided form and opens it.
    browser_login(starter)
    page.goto("/circles/")
    page.get_by_role("link", name="Start a circle").first.click()
    page.get_by_label("Find the book, course or topic").fill("purple")
    page.get_by_role("button", name="Search").last.click()
    page.get_by_role("link", name="Choose Purple Cow").click()
    page.get_by_label("Title").fill("Purple Cow lunchtime circle")
    page.get_by_label("Weekly plan").fill("Chapters 1-2\nChapters 3-4\nChapter 5")
    page.get_by_label("First meeting").fill(first_meeting.isoformat())
    page.get_by_label("Time", exact=True).fill("12:30")
    page.get_by_label("Video-call link").fill("https://teams.microsoft.com/l/meetup-join/abc")
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_role("button", name="Open for sign-up").click()
    page.get_by_text("Your circle is open for sign-up").wait_for()
    circle = Circle.objects.get()
    assert circle.state == Circle.State.OPEN
    sign_out(page)

    # The second employee finds it in the "suggested for you" widget, as on the intranet,
    # and joins from there. Opening the circle published its catalog entry, which retired
    # the widget's cached pool: no waiting and no cache flush.
    browser_login(joiner)
    page.goto("/widgets/suggested/?variant=employee")
    card = page.locator(".lpw-card").filter(has_text="Purple Cow lunchtime circle")
    expect(card.locator(".lpw-reason")).to_have_text(
        f"A circle on Purple Cow starts {first_meeting:%A}"
    )
    card.get_by_role("link", name="View and enroll: Purple Cow lunchtime circle").click()
    page.get_by_label("What do you hope to get from it? (optional)").fill("Fresh ideas")
    page.get_by_role("button", name="Join the circle").click()
    page.get_by_text("You have joined Purple Cow lunchtime circle").wait_for()
    event = TranscriptEvent.objects.get(user=joiner)
    assert event.kind == "registered"

    # Beat opens week 1's thread; both post in it (HTMX, no reload).
    services.thread_open_due()
    page.get_by_role("link", name="Go to the discussion").click()
    page.get_by_role("link", name="Week 1: Chapters 1-2").click()
    page.get_by_label("Your post").fill("Safe is **risky**, says chapter 1.")
    page.get_by_label("The facilitators may quote this").check()
    url_before = page.url
    page.get_by_role("button", name="Post", exact=True).click()
    page.locator("#posts .post").filter(has_text="Safe is risky").wait_for()
    assert page.url == url_before
    assert page.get_by_label("Your post").input_value() == ""
    sign_out(page)

    browser_login(starter)
    page.goto(circle.threads.get(week=1).get_absolute_url())
    page.get_by_label("Your post").fill("Welcome! What would a remarkable handover be?")
    page.get_by_role("button", name="Post", exact=True).click()
    page.locator("#posts .post").filter(has_text="remarkable handover").wait_for()
    assert Post.objects.count() == 2

    # After the meeting the facilitator records it and publishes key insights.
    meeting = circle.meetings.get(week=1)
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=10), tick=True):
        services.circle_states_advance()  # as beat does: the circle is running now
        page.goto(f"/circles/{circle.slug}/manage/")
        page.get_by_role("link", name="Wrap up this meeting").click()
        page.get_by_label("How many people were there?").fill("2")
        page.get_by_label("Record who was there").check()
        page.get_by_label("Ben Joiner").check()
        page.get_by_label("Key insights", exact=True).fill(
            "Boring is risky\nFind the sneezers on the ward"
        )
        page.get_by_label("Safe is **risky**, says chapter 1.").check()
        page.get_by_label("Publish the summary and key insights").check()
        page.get_by_role("button", name="Save the wrap-up").click()
        page.get_by_text("published in the archive").wait_for()
        assert meeting.attendance.get(user=joiner).attended

        # The insights are in the archive, searchable, with the consented quote and no names.
        page.goto("/circles/archive/")
        page.get_by_label("Search the archive").fill("sneezers")
        page.get_by_role("button", name="Search").last.click()
        page.get_by_role("link", name="Purple Cow lunchtime circle").click()
        page.get_by_text("Find the sneezers on the ward").wait_for()
        assert page.locator(".archive-quote").filter(has_text="Safe is risky").count() == 1
        assert "Ben Joiner" not in page.content()


def test_the_call_link_shows_someone_on_the_waitlist_their_place(browser_page, browser_login):
    circle = make_circle(state="open", seat_cap=2, title="Purple Cow circle")
    for _ in range(2):
        services.circle_join(user=EmployeeFactory().user, circle=circle)
    waiting = EmployeeFactory().user
    services.circle_join(user=waiting, circle=circle)
    page = browser_login(waiting)

    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/circles/{circle.slug}/call/")
        expect(page.locator(".message-info")).to_contain_text("you are 1st on the waitlist")
        expect(page.get_by_role("heading", name="Purple Cow circle")).to_be_visible()
        assert "teams.microsoft.com" not in page.content()
        if shots := os.environ.get("SCREENSHOTS_DIR"):
            page.screenshot(path=f"{shots}/call-waitlisted-{width}.png", full_page=False)
