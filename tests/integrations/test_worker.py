"""Slack posts and events through a real Celery worker on Redis: each sent exactly once,
failures retried with backoff until Slack takes the post."""

import datetime as dt

import pytest

from circles import services as circles
from integrations import services, tasks
from integrations.models import SlackEvent, SlackMessage
from tests.circles.factories import next_weekday
from tests.helpers import run_concurrently, wait_for
from tests.integrations.conftest import message_event, signed
from tests.integrations.helpers import member_of, running_circle

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def linked_before_its_first_thread(fake_slack):
    circle = running_circle(start_date=next_weekday(1, after_days=14))
    services.slack_link_save(circle=circle, actor=circle.proposed_by, channel_id="C0CIRCLE1")
    assert not SlackMessage.objects.exists()
    return circle


def open_week_1(circle):
    first = circle.meetings.get(week=1)
    circles.thread_open_due(now=first.scheduled_for - dt.timedelta(days=6))


def test_a_message_queued_three_times_to_a_real_worker_is_posted_once(redis_worker, fake_slack):
    circle = linked_before_its_first_thread(fake_slack)
    open_week_1(circle)
    first = SlackMessage.objects.get()
    tasks.send_slack_message.delay(first.pk)
    tasks.send_slack_message.delay(first.pk)
    # Queued last: the solo worker takes tasks in order, so the duplicates ran before it.
    second_meeting = circle.meetings.get(week=2)
    circles.thread_open_due(now=second_meeting.scheduled_for - dt.timedelta(days=6))

    assert wait_for(lambda: SlackMessage.objects.get(week=2).status == "sent")
    assert [p["text"].split(":")[0] for p in fake_slack.posts] == [
        "Purple Cow circle, week 1",
        "Purple Cow circle, week 2",
    ]
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("sent", 1)


def test_a_real_worker_retries_a_failing_post_with_backoff_until_slack_takes_it(
    redis_worker, fake_slack
):
    circle = linked_before_its_first_thread(fake_slack)
    fake_slack.fail_next(1, status=500)
    fake_slack.fail_next(1, status=429, error="ratelimited", headers={"Retry-After": "1"})

    open_week_1(circle)

    assert wait_for(lambda: SlackMessage.objects.get().status == "sent", seconds=60)
    message = SlackMessage.objects.get()
    assert (message.attempts, message.last_error) == (3, "")
    assert len(fake_slack.posts) == 1
    assert fake_slack.calls.count("/api/chat.postMessage") == 3


def test_a_real_worker_gives_up_after_the_last_retry_and_keeps_the_error(
    redis_worker, fake_slack, settings
):
    settings.SLACK_MAX_RETRIES = 1
    circle = linked_before_its_first_thread(fake_slack)
    fake_slack.fail_next(5, status=500)

    open_week_1(circle)

    assert wait_for(lambda: SlackMessage.objects.get().status == "failed", seconds=60)
    message = SlackMessage.objects.get()
    assert message.attempts == 2
    assert "500" in message.last_error
    assert fake_slack.posts == []


def test_an_event_delivered_twice_to_a_real_worker_makes_one_post(redis_worker, fake_slack, client):
    circle = running_circle()
    member = member_of(circle)
    fake_slack.add_user("U0MEMBER", member.email)
    services.slack_link_save(circle=circle, actor=circle.proposed_by, channel_id="C0CIRCLE1")
    assert wait_for(lambda: SlackMessage.objects.filter(status="sent").exists())
    prompt = SlackMessage.objects.get()
    body = message_event(event_id="EvW", text="From Slack", ts="1.000300", thread_ts=prompt.ts)

    for _ in range(2):
        response = client.post(
            "/integrations/slack/events/", body, content_type="application/json", **signed(body)
        )
        assert response.status_code == 200

    assert wait_for(lambda: SlackEvent.objects.get().outcome == "posted")
    assert circle.threads.get(week=1).posts.get().body == "From Slack"


@pytest.mark.postgres
def test_parallel_sends_of_one_message_post_it_once(fake_slack, settings):
    circle = linked_before_its_first_thread(fake_slack)
    fake_slack.channels["C0CIRCLE1"]["is_member"] = True
    settings.SLACK_BOT_TOKEN = ""  # nothing is sent at the commit: the threads below send
    open_week_1(circle)
    settings.SLACK_BOT_TOKEN = "xoxb-test-token"  # noqa: S105
    message = SlackMessage.objects.get()
    SlackMessage.objects.filter(pk=message.pk).update(status="pending", last_error="")

    results, errors = run_concurrently(
        [lambda: services.slack_message_send(message_id=message.pk)] * 8
    )

    assert errors == []
    assert sorted(results) == [False] * 7 + [True]
    assert len(fake_slack.posts) == 1
