"""The demand board in real Chromium: propose, +1 with HTMX, withdraw, an admin plans it."""

import pytest

from insights.models import Proposal, Vote
from tests.catalog.factories import TopicFactory
from tests.insights.demand_helpers import hr_user, learning_admin
from tests.people.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_propose_vote_withdraw_and_plan_on_the_demand_board(browser_page, browser_login):
    TopicFactory(name="Marketing", slug="marketing")
    proposer = EmployeeFactory(user__first_name="Ada", user__last_name="Proposer").user
    voter = EmployeeFactory(user__first_name="Ben", user__last_name="Voter").user
    admin = learning_admin()
    page = browser_page

    browser_login(proposer)
    page.goto("/demand/")
    page.get_by_role("link", name="Propose a topic or book").first.click()
    # A blank title is refused with a message, nothing is saved.
    page.get_by_role("button", name="Put it on the board").click()
    page.get_by_text("Say what you would like to learn.").wait_for()
    page.get_by_label("What would you like to learn?").fill("Purple Cow")
    page.get_by_label("A book").check()
    page.get_by_label("A learning circle").check()
    page.get_by_label("Closest catalog topic (optional)").select_option(label="Marketing")
    page.get_by_role("button", name="Put it on the board").click()
    page.get_by_text("your proposal is on the board").wait_for()
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.wanted, proposal.topic.name) == ("book", "circle", "Marketing")
    sign_out(page)

    browser_login(voter)
    page.goto("/demand/")
    card = page.locator(f"#proposal-{proposal.pk}")
    assert "Ada" not in card.inner_text()
    card.get_by_role("button", name="+1 Purple Cow").click()
    # HTMX swaps the control in place: no page load, the count is now 2.
    card.get_by_role("button", name="Take back your +1 for Purple Cow").wait_for()
    assert card.locator(".vote-count strong").inner_text() == "2"
    assert Vote.objects.filter(proposal=proposal, user=voter).exists()
    card.get_by_role("button", name="Take back your +1 for Purple Cow").click()
    card.get_by_role("button", name="+1 Purple Cow").wait_for()
    assert not Vote.objects.filter(proposal=proposal, user=voter).exists()
    sign_out(page)

    browser_login(admin, password="learn-test")
    page.goto(proposal.get_absolute_url())
    page.get_by_label("Mark as planned").check()
    page.get_by_label("Reason (shown on the board)").fill("A circle starts in March")
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("the board shows the change").wait_for()
    page.goto("/demand/?show=planned")
    page.get_by_text("A circle starts in March").wait_for()
    sign_out(page)

    # HR sees the +1 counted for Marketing on the demand list, and downloads the CSV.
    browser_login(hr_user())
    page.goto("/insights/demand/")
    row = page.get_by_role("row", name="Marketing")
    assert "<5" in row.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("topic-demand-90d-")
