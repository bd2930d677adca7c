import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse

from circles import services as circles
from circles import tasks as circle_tasks
from integrations import services, tasks
from integrations.models import SlackChannelLink, SlackMessage
from notifications.models import OutboxMessage
from notifications.services import absolute_url
from tests.integrations.helpers import member_of, running_circle
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def link(circle, **kwargs):
    return services.slack_link_save(
        circle=circle, actor=circle.proposed_by, channel_id="C0CIRCLE1", **kwargs
    )


def test_linking_checks_the_channel_with_slack_and_posts_the_open_weeks_prompt(fake_slack):
    circle = running_circle()
    fake_slack.channels["C0CIRCLE1"]["is_member"] = False

    saved = link(circle)

    assert (saved.channel_id, saved.channel_name) == ("C0CIRCLE1", "purple-cow")
    assert "/api/conversations.join" in fake_slack.calls
    [post] = fake_slack.posts
    assert post["channel"] == "C0CIRCLE1"
    assert post["text"].startswith("Purple Cow circle, week 1:")
    button = post["blocks"][2]["elements"][0]
    assert button["text"]["text"] == "Discuss on the portal"
    assert button["url"].endswith(circle.threads.get(week=1).get_absolute_url())
    message = SlackMessage.objects.get()
    assert (message.kind, message.status, message.ts) == ("prompt", "sent", post["ts"])


def test_only_facilitators_and_learning_admins_link_a_circle(fake_slack):
    circle = running_circle()
    member = member_of(circle)
    with pytest.raises(ValidationError) as error:
        services.slack_link_save(circle=circle, actor=member, channel_id="C0CIRCLE1")
    assert error.value.messages == [services.LINK_NOT_ALLOWED]
    assert not SlackChannelLink.objects.exists()


@pytest.mark.parametrize("channel_id", ["", "general", "#purple-cow", "U0123456"])
def test_a_channel_id_that_is_not_one_is_refused_with_where_to_find_it(fake_slack, channel_id):
    circle = running_circle()
    with pytest.raises(ValidationError) as error:
        services.slack_link_save(circle=circle, actor=circle.proposed_by, channel_id=channel_id)
    assert error.value.messages == [services.CHANNEL_ID_INVALID]


def test_a_channel_slack_does_not_show_the_app_is_refused(fake_slack):
    circle = running_circle()
    with pytest.raises(ValidationError) as error:
        services.slack_link_save(circle=circle, actor=circle.proposed_by, channel_id="C0NOTHERE")
    assert "cannot see that channel" in error.value.messages[0]
    assert "channel_not_found" in error.value.messages[0]


def test_one_channel_feeds_one_circle(fake_slack):
    first, second = running_circle(), running_circle()
    link(first)
    with pytest.raises(ValidationError) as error:
        link(second)
    assert error.value.messages == [services.CHANNEL_TAKEN.format(title=first.title)]


@pytest.mark.postgres
def test_a_circle_that_links_the_channel_a_moment_first_gets_it_and_the_other_is_told(
    fake_slack, monkeypatch
):
    first, second = running_circle(), running_circle()
    save = SlackChannelLink.objects.update_or_create

    def first_links_in_another_request():
        try:
            link(first)
        finally:
            connection.close()

    def first_links_meanwhile(**kwargs):
        # The other request commits its link between this one's check and its own write.
        monkeypatch.setattr(SlackChannelLink.objects, "update_or_create", save)
        other = threading.Thread(target=first_links_in_another_request)
        other.start()
        other.join()
        return save(**kwargs)

    monkeypatch.setattr(SlackChannelLink.objects, "update_or_create", first_links_meanwhile)
    with pytest.raises(ValidationError) as error:
        link(second)

    assert error.value.messages == [services.CHANNEL_TAKEN.format(title=first.title)]
    assert list(SlackChannelLink.objects.values_list("circle", flat=True)) == [first.pk]


def test_without_a_bot_token_a_webhook_url_is_needed_and_posts_go_through_it(fake_slack, settings):
    settings.SLACK_BOT_TOKEN = ""
    circle = running_circle()
    with pytest.raises(ValidationError) as error:
        link(circle)
    assert error.value.messages == [services.SLACK_NOT_CONFIGURED]

    link(circle, webhook_url=fake_slack.webhook_url)

    assert fake_slack.posts == []
    [post] = fake_slack.webhook_posts
    assert post["text"].startswith("Purple Cow circle, week 1:")
    assert SlackMessage.objects.get().status == "sent"


def test_the_service_posts_through_slacks_webhooks_only(fake_slack, settings):
    settings.SLACK_BOT_TOKEN = ""
    circle = running_circle()
    for url in ("http://127.0.0.1:6379/", "https://hooks.slack.com.evil.example/x"):
        settings.SLACK_WEBHOOK_URL_PREFIX = "https://hooks.slack.com/"
        with pytest.raises(ValidationError) as error:
            link(circle, webhook_url=url)
        assert error.value.messages == [
            services.WEBHOOK_URL_INVALID.format(prefix="https://hooks.slack.com/")
        ]
    assert not SlackChannelLink.objects.exists()


def test_a_thread_opening_posts_its_prompt_once(fake_slack):
    circle = running_circle()
    link(circle)
    second = circle.meetings.get(week=2)

    circles.thread_open_due(now=second.scheduled_for - dt.timedelta(days=6))
    circles.thread_open_due(now=second.scheduled_for - dt.timedelta(days=6))

    assert [p["text"].split(":")[0] for p in fake_slack.posts] == [
        "Purple Cow circle, week 1",
        "Purple Cow circle, week 2",
    ]


def test_circles_without_a_channel_post_nothing_and_record_nothing(fake_slack):
    circle = running_circle()
    second = circle.meetings.get(week=2)
    circles.thread_open_due(now=second.scheduled_for - dt.timedelta(days=6))
    assert fake_slack.calls == []
    assert not SlackMessage.objects.exists()


def test_the_meeting_reminder_goes_to_the_channel_once_with_the_members_call_link(fake_slack):
    circle = running_circle()
    link(circle)
    meeting = circle.meetings.get(week=1)

    with time_machine.travel(meeting.starts_at - dt.timedelta(hours=20)):
        circle_tasks.send_meeting_reminders()
        circle_tasks.send_meeting_reminders()

    reminders = [p for p in fake_slack.posts if p["text"].startswith("Reminder")]
    assert len(reminders) == 1
    buttons = reminders[0]["blocks"][1]["elements"]
    assert buttons[0]["text"]["text"] == "Join the call"
    # The channel may have readers who are not members: the portal lets members through.
    assert buttons[0]["url"] == absolute_url(reverse("circles:call", args=[circle.slug]))
    assert circle.video_url not in str(reminders[0])


def test_a_published_summary_goes_to_the_channel_once(fake_slack):
    circle = running_circle()
    link(circle)
    meeting = circle.meetings.get(week=1)
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        for _ in range(2):
            circles.wrapup_save(
                meeting=meeting,
                actor=circle.proposed_by,
                held=True,
                summary="We found **remarkable** is a choice.",
                insights="Safe is risky\nBe worth talking about",
                publish=True,
            )
    [summary] = [p for p in fake_slack.posts if p["text"].endswith("the summary is published")]
    section = summary["blocks"][1]["text"]["text"]
    assert section == "We found *remarkable* is a choice."
    assert "• Safe is risky" in summary["blocks"][2]["text"]["text"]


def test_a_failed_post_keeps_its_error_and_is_not_lost(fake_slack):
    circle = running_circle()
    link(circle)
    fake_slack.fail_next(status=500)
    second = circle.meetings.get(week=2)

    # Eager mode (no worker): one attempt, then the row keeps its error for a resend.
    circles.thread_open_due(now=second.scheduled_for - dt.timedelta(days=6))

    message = SlackMessage.objects.get(week=2)
    assert message.status == "failed"
    assert "500" in message.last_error
    assert message.attempts == 1
    assert len(fake_slack.posts) == 1

    services.slack_message_requeue(message=message, actor=circle.proposed_by)

    message.refresh_from_db()
    assert (message.status, message.last_error, message.attempts) == ("sent", "", 2)
    assert len(fake_slack.posts) == 2


def test_a_message_delivered_twice_is_posted_once(fake_slack):
    circle = running_circle()
    link(circle)
    message = SlackMessage.objects.get()

    assert tasks.send_slack_message(message.pk) is False
    assert services.slack_message_send(message_id=message.pk) is False
    assert len(fake_slack.posts) == 1


def test_a_sent_message_cannot_be_sent_again(fake_slack):
    circle = running_circle()
    link(circle)
    with pytest.raises(ValidationError) as error:
        services.slack_message_requeue(message=SlackMessage.objects.get(), actor=None)
    assert error.value.messages == [services.RESEND_NOT_ALLOWED.format(state="sent")]


def test_a_message_claimed_by_a_worker_that_died_can_be_resent_after_a_while(fake_slack):
    circle = running_circle()
    link(circle)
    message = SlackMessage.objects.get()
    now = dt.datetime.now(dt.UTC)
    SlackMessage.objects.filter(pk=message.pk).update(status="sending", claimed_at=now)

    with pytest.raises(ValidationError):
        services.slack_message_requeue(message=message, actor=None, now=now)
    services.slack_message_requeue(message=message, actor=None, now=now + dt.timedelta(minutes=11))

    assert len(fake_slack.posts) == 2


def test_unlinking_stops_posts_and_drops_what_was_not_sent(fake_slack):
    circle = running_circle()
    link(circle)
    fake_slack.fail_next(status=500)
    second = circle.meetings.get(week=2)
    circles.thread_open_due(now=second.scheduled_for - dt.timedelta(days=6))

    services.slack_link_remove(circle=circle, actor=circle.proposed_by)

    assert not SlackChannelLink.objects.exists()
    pending = SlackMessage.objects.get(week=2)
    assert pending.status == "failed"
    third = circle.meetings.get(week=3)
    circles.thread_open_due(now=third.scheduled_for - dt.timedelta(days=6))
    assert SlackMessage.objects.count() == 2


def test_a_slack_message_is_recorded_in_the_writes_transaction(fake_slack):
    circle = running_circle()
    link(circle)
    OutboxMessage.objects.all().delete()
    second = circle.meetings.get(week=2)

    def failing_write():
        with transaction.atomic():
            circles.thread_open_due(now=second.scheduled_for - dt.timedelta(days=6))
            raise RuntimeError("the write fails")

    with pytest.raises(RuntimeError):
        failing_write()
    assert not SlackMessage.objects.filter(week=2).exists()
    assert not OutboxMessage.objects.exists()


def test_an_employee_who_is_not_a_facilitator_gets_no_say(fake_slack):
    circle = running_circle()
    stranger = EmployeeFactory().user
    with pytest.raises(ValidationError):
        services.slack_link_remove(circle=circle, actor=stranger)


def test_with_no_connector_configured_circles_run_on_the_portal_alone(settings, mailoutbox):
    settings.SLACK_BOT_TOKEN = settings.SLACK_SIGNING_SECRET = settings.NOTION_TOKEN = ""
    circle = running_circle()
    member = member_of(circle)
    second = circle.meetings.get(week=2)
    circles.thread_open_due(now=second.scheduled_for - dt.timedelta(days=6))
    meeting = circle.meetings.get(week=1)
    with time_machine.travel(meeting.starts_at - dt.timedelta(hours=20)):
        circle_tasks.send_meeting_reminders()
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        circles.wrapup_save(
            meeting=meeting, actor=circle.proposed_by, held=True, summary="S", publish=True
        )
    circles.post_create(thread=circle.threads.get(week=1), author=member, body="On the portal")

    assert circle.threads.count() == 2
    assert any("Tomorrow" in m.subject or "tomorrow" in m.subject for m in mailoutbox)
    assert not SlackMessage.objects.exists()
    assert not OutboxMessage.objects.filter(task__startswith="integrations.").exists()
