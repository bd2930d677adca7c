"""A facilitator turns takeaways on, members are told, the facilitator reviews and publishes,
HR sees the themes: in real Chromium."""

import pytest

from circles.models import Post
from insights.models import Proposal, WeeklyTakeaway
from insights.takeaways import services
from tests.insights.demand_helpers import hr_user
from tests.insights.takeaways_helpers import circle_with_discussion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_facilitator_turns_takeaways_on_reviews_edits_and_publishes(browser_page, browser_login):
    circle, facilitator, member = circle_with_discussion(enabled=False)
    page = browser_page

    browser_login(facilitator)
    page.goto(f"/circles/{circle.slug}/manage/")
    page.get_by_role("link", name="Discussion takeaways").click()
    page.get_by_role("button", name="Turn takeaways on and tell members").click()
    page.get_by_text("the circle's pages now tell members").wait_for()
    # The fixture's posts were written before consent: they are never read. New ones are.
    circle.refresh_from_db()
    Post.objects.filter(thread__circle=circle).update(created_at=circle.takeaways_enabled_at)
    page.get_by_role("button", name="Suggest drafts now").click()
    page.get_by_text("Suggested, not reviewed").wait_for()
    themes = page.get_by_label("Themes")
    assert themes.input_value()
    themes.fill("Discharge is where we can be remarkable")
    page.get_by_label("Wishes for sessions").fill("conflict resolution")
    page.get_by_role("button", name="Publish week 1").click()
    page.get_by_text("Week 1 is published").wait_for()
    takeaway = WeeklyTakeaway.objects.get(circle=circle)
    assert takeaway.is_published
    assert takeaway.themes == ["Discharge is where we can be remarkable"]
    assert Proposal.objects.filter(title="Conflict resolution", origin="discussion").exists()
    sign_out(page)

    browser_login(member)
    page.goto(circle.get_absolute_url())
    page.get_by_text("Discussion takeaways are on for this circle").wait_for()
    page.get_by_role("link", name="What was published").click()
    page.get_by_text("Discharge is where we can be remarkable").wait_for()
    sign_out(page)

    # HR shows a theme once two circles published it: a second circle says the same.
    other, other_facilitator, _ = circle_with_discussion(member_employee_id="E900002")
    second = services.takeaway_propose(circle=other, week=1)
    services.takeaway_update(
        takeaway=second,
        actor=other_facilitator,
        key_phrases=[],
        themes=["Discharge is where we can be remarkable"],
        summary=[],
        demand_phrases=[],
    )
    services.takeaway_publish(takeaway=second, actor=other_facilitator)
    browser_login(hr_user())
    page.goto("/insights/takeaways/")
    page.get_by_role("cell", name="Discharge is where we can be remarkable").wait_for()
