"""Issue 13 in real Chromium, its Slack half: a facilitator links the circle to a channel
(a local fake Slack), the week's prompt goes out, and a reply in Slack comes back into the
week's thread on the portal."""

import httpx
import pytest

from circles.models import Post
from integrations.models import SlackMessage
from tests.integrations.conftest import message_event, signed
from tests.integrations.helpers import member_of, running_circle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_facilitator_links_slack_the_prompt_goes_out_and_a_reply_comes_back(
    browser_page, browser_login, fake_slack, live_server
):
    circle = running_circle()
    member = member_of(circle, "ada@example.org")
    member.first_name, member.last_name = "Ada", "Member"
    member.save()
    fake_slack.add_user("U0ADA", member.email)
    page = browser_page

    # The facilitator finds "Slack and Notion" on the circle's manage page and links it.
    browser_login(circle.proposed_by)
    page.goto(f"/circles/{circle.slug}/manage/")
    page.get_by_role("link", name="Slack and Notion").click()
    page.get_by_role("heading", name="Slack and Notion").wait_for()
    page.get_by_label("Slack channel ID").fill("C0CIRCLE1")
    page.get_by_role("button", name="Link to Slack").click()
    page.get_by_text("Linked to #purple-cow in Slack.").first.wait_for()

    # The open week's prompt went out, with its button back to the portal.
    [prompt] = fake_slack.posts
    assert prompt["channel"] == "C0CIRCLE1"
    assert prompt["blocks"][2]["elements"][0]["text"]["text"] == "Discuss on the portal"
    row = page.get_by_role("row").filter(has_text="Week's prompt")
    assert "Sent" in row.inner_text()

    # Ada replies in the prompt's thread in Slack; Slack calls the events endpoint.
    ts = SlackMessage.objects.get().ts
    body = message_event(
        event_id="EvBrowser", text="Safe is *risky*.", user="U0ADA", ts="1.000900", thread_ts=ts
    )
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": signed(body)["HTTP_X_SLACK_REQUEST_TIMESTAMP"],
        "X-Slack-Signature": signed(body)["HTTP_X_SLACK_SIGNATURE"],
    }
    response = httpx.post(
        f"{live_server.url}/integrations/slack/events/", content=body, headers=headers, timeout=10
    )
    assert response.status_code == 200

    # The reply is in the week's thread, under Ada's name, marked as from Slack.
    page.goto(circle.threads.get(week=1).get_absolute_url())
    post = page.locator("article.post").filter(has_text="Safe is risky.")
    post.wait_for()
    assert "Ada Member" in post.inner_text()
    assert "via Slack" in post.inner_text()
    assert post.locator("strong", has_text="risky").count() == 1
    assert Post.objects.get().source == "slack"
