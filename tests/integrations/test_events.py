import json
import time

import pytest
from django.urls import reverse

from circles.models import Post
from integrations.models import SlackEvent, SlackMessage, SlackPost
from integrations.services import slack_link_save
from tests.integrations.conftest import message_event, signed
from tests.integrations.helpers import member_of, running_circle
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("integrations:slack_events")


@pytest.fixture
def linked(fake_slack):
    circle = running_circle()
    member = member_of(circle)
    fake_slack.add_user("U0MEMBER", member.email.upper())
    slack_link_save(circle=circle, actor=circle.proposed_by, channel_id="C0CIRCLE1")
    prompt = SlackMessage.objects.get(kind="prompt")
    return circle, member, prompt


def deliver(client, body: bytes, **headers):
    return client.post(URL, body, content_type="application/json", **(headers or signed(body)))


# --- signature ----------------------------------------------------------------------------------


def test_url_verification_is_answered_with_its_challenge(client, fake_slack):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV"}).encode()
    response = deliver(client, body)
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV"}


def test_a_request_with_a_bad_signature_is_refused_before_anything_else(client, fake_slack):
    body = message_event(event_id="Ev1", text="hi", ts="1.1")
    response = deliver(client, body, **signed(body, secret="not-the-secret"))
    assert response.status_code == 401
    assert not SlackEvent.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, fake_slack):
    body = message_event(event_id="Ev1", text="hi", ts="1.1")
    headers = signed(body)
    response = deliver(client, body.replace(b"hi", b"ho"), **headers)
    assert response.status_code == 401


def test_a_request_older_than_five_minutes_is_refused(client, fake_slack):
    body = message_event(event_id="Ev1", text="hi", ts="1.1")
    stale = signed(body, timestamp=int(time.time()) - 6 * 60)
    assert deliver(client, body, **stale).status_code == 401
    fresh_enough = signed(body, timestamp=int(time.time()) - 4 * 60)
    assert deliver(client, body, **fresh_enough).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_X_SLACK_SIGNATURE": "v0=abc"}, {"HTTP_X_SLACK_REQUEST_TIMESTAMP": "soon"}],
)
def test_a_request_without_a_proper_signature_is_refused(client, fake_slack, headers):
    body = message_event(event_id="Ev1", text="hi", ts="1.1")
    assert client.post(URL, body, content_type="application/json", **headers).status_code == 401


def test_signed_garbage_is_a_400(client, fake_slack):
    assert deliver(client, b"[1, 2]").status_code == 400
    assert deliver(client, b"not json").status_code == 400


def test_without_a_signing_secret_the_endpoint_is_off(client, fake_slack, settings):
    settings.SLACK_SIGNING_SECRET = ""
    body = message_event(event_id="Ev1", text="hi", ts="1.1")
    assert deliver(client, body).status_code == 404


# --- replies into the discussion -------------------------------------------------------------


def test_a_reply_to_the_prompt_comes_into_the_weeks_thread_as_the_member(client, linked):
    circle, member, prompt = linked
    body = message_event(
        event_id="Ev1",
        text="Safe is *risky* <https://example.org|here>",
        ts="1700000001.000200",
        thread_ts=prompt.ts,
    )

    response = deliver(client, body)

    assert response.status_code == 200
    post = Post.objects.get()
    assert (post.thread.week, post.author, post.source) == (1, member, "slack")
    assert post.body == "Safe is **risky** [here](https://example.org)"
    assert SlackEvent.objects.get().outcome == "posted"
    assert SlackEvent.objects.get().payload is None


def test_the_same_event_delivered_again_makes_one_post(client, linked):
    _, _, prompt = linked
    body = message_event(event_id="Ev1", text="Once", ts="1700000001.000200", thread_ts=prompt.ts)

    for _ in range(3):
        assert deliver(client, body).status_code == 200

    assert Post.objects.count() == 1
    assert SlackEvent.objects.count() == 1


def test_the_same_message_under_another_event_id_makes_one_post(client, linked):
    _, _, prompt = linked
    for event_id in ("Ev1", "Ev2"):
        body = message_event(event_id=event_id, text="Once", ts="1.000200", thread_ts=prompt.ts)
        deliver(client, body)
    assert Post.objects.count() == 1
    assert SlackEvent.objects.get(event_id="Ev2").reason == "Already in the discussion."


def test_a_reply_to_a_reply_in_slack_is_a_reply_to_that_post(client, linked, fake_slack):
    circle, member, prompt = linked
    other = member_of(circle, email="grace@example.org")
    fake_slack.add_user("U0OTHER", other.email)
    deliver(client, message_event(event_id="Ev1", text="Top", ts="1.000100"))
    deliver(
        client,
        message_event(
            event_id="Ev2", text="Reply", ts="1.000200", thread_ts="1.000100", user="U0OTHER"
        ),
    )
    top, reply = Post.objects.order_by("pk")
    assert top.parent is None
    assert top.thread.week == 1
    assert (reply.parent, reply.author) == (top, other)
    assert SlackPost.objects.count() == 2


@pytest.mark.parametrize(
    ("user", "email", "reason"),
    [
        ("U0GHOST", None, "Slack gives no email"),
        ("U0OUTSIDE", "contractor@elsewhere.com", "not in the HR feed"),
        ("U0NOSEAT", "noseat@example.org", "Only the circle's members"),
    ],
)
def test_people_who_are_not_members_in_the_hr_feed_are_ignored(
    client, linked, fake_slack, user, email, reason
):
    if email:
        fake_slack.add_user(user, email)
    if user == "U0NOSEAT":
        from tests.people.factories import EmployeeFactory

        EmployeeFactory(user__email=email)
    deliver(client, message_event(event_id="Ev1", text="Hello", ts="1.1", user=user))
    assert not Post.objects.exists()
    event = SlackEvent.objects.get()
    assert event.outcome == "ignored"
    assert reason in event.reason


def test_an_account_without_an_employee_record_is_not_matched(client, linked, fake_slack):
    UserFactory(email="admin-only@example.org")
    fake_slack.add_user("U0ADMIN", "admin-only@example.org")
    deliver(client, message_event(event_id="Ev1", text="Hello", ts="1.1", user="U0ADMIN"))
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"subtype": "channel_join"}, {"bot_id": "B0BOT"}, {"channel": "C0OTHER"}],
)
def test_joins_bots_and_other_channels_are_ignored(client, linked, extra):
    deliver(client, message_event(event_id="Ev1", text="Hello", ts="1.1", **extra))
    assert not Post.objects.exists()
    assert SlackEvent.objects.get().outcome == "ignored"


def test_when_slack_does_not_answer_the_event_waits_for_a_retry(client, linked, fake_slack):
    fake_slack.fail_next(status=503, error="service_unavailable")
    deliver(client, message_event(event_id="Ev1", text="Hello", ts="1.1"))
    assert SlackEvent.objects.get().outcome == "pending"
    assert not Post.objects.exists()
