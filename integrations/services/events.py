"""What comes back from Slack: a message in a linked channel becomes a post in the week's
thread, written by the employee whose email Slack gives, through circles' post service."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles.models import Post, Thread
from circles.services import post_create
from notifications.services import outbox_schedule
from people.models import User

from .. import slack
from ..models import SlackChannelLink, SlackEvent, SlackMessage, SlackPost

logger = logging.getLogger(__name__)

PROCESS_TASK = "integrations.tasks.process_slack_event"
# Slack message subtypes that are someone writing; joins, topic changes, bots are not.
WRITTEN_SUBTYPES = {None, "thread_broadcast", "file_share"}

IGNORED_NOT_MESSAGE = "Not a message."
IGNORED_SUBTYPE = "Not something a person wrote ({subtype})."
IGNORED_CHANNEL = "The channel is not linked to a circle."
IGNORED_NO_EMAIL = "Slack gives no email for this user (a bot, a guest, or no users:read.email)."
IGNORED_NOT_EMPLOYEE = "The author is not in the HR feed."
IGNORED_NO_THREAD = "The circle has no week's discussion open yet."
IGNORED_UNKNOWN_THREAD = "A reply to a Slack message that is not in the portal's discussion."
IGNORED_DUPLICATE = "Already in the discussion."


def slack_event_record(*, payload: dict) -> SlackEvent | None:
    """Keep an `event_callback` by its event ID and queue its processing after the commit.

    Returns the new event, or None when the ID was seen before (Slack delivers again when
    an answer is late): nothing is queued twice.
    """
    event = payload.get("event") or {}
    try:
        with transaction.atomic():
            record, created = SlackEvent.objects.get_or_create(
                event_id=str(payload.get("event_id", ""))[:64],
                defaults={
                    "event_type": str(event.get("type", ""))[:64],
                    "team_id": str(payload.get("team_id", ""))[:32],
                    "payload": event,
                },
            )
            if created:
                outbox_schedule(task=PROCESS_TASK, args=[record.pk])
    except IntegrityError:
        # A concurrent delivery of the same event won the unique index.
        return None
    return record if created else None


def _finish(event: SlackEvent, outcome: str, reason: str = "") -> SlackEvent:
    # The payload holds what someone wrote: once it is a post (or ignored) it is not kept.
    SlackEvent.objects.filter(pk=event.pk).update(
        outcome=outcome, reason=reason[:300], processed_at=timezone.now(), payload=None
    )
    event.outcome, event.reason = outcome, reason
    return event


def _author(slack_user: str) -> tuple[User | None, str]:
    email = slack.user_email(slack_user) if slack_user else None
    if not email:
        return None, IGNORED_NO_EMAIL
    # Only people in the HR feed (an employee record), and never a deactivated account.
    user = User.objects.filter(email__iexact=email, is_active=True, employee__isnull=False).first()
    if user is None:
        return None, IGNORED_NOT_EMPLOYEE
    return user, ""


def message_target(
    *, link: SlackChannelLink, ts: str, thread_ts: str | None
) -> tuple[Thread | None, Post | None, str]:
    """Where a Slack message goes: (thread, parent post, reason when nowhere).

    A reply in the thread of the portal's prompt (or reminder, or summary) goes into that
    week; a reply to a message that became a post is a reply to that post (one level, as
    on the portal); a message in the channel itself goes into the latest open week.
    """
    if thread_ts and thread_ts != ts:
        ours = SlackMessage.objects.filter(
            channel_id=link.channel_id, ts=thread_ts, week__isnull=False
        ).first()
        if ours is not None:
            thread = Thread.objects.filter(circle_id=link.circle_id, week=ours.week).first()
            return thread, None, "" if thread else IGNORED_NO_THREAD
        known = (
            SlackPost.objects.filter(channel_id=link.channel_id, ts=thread_ts)
            .select_related("post__parent", "post__thread")
            .first()
        )
        if known is None or known.post is None:
            # Not from the portal's discussion, or its post was deleted since.
            return None, None, IGNORED_UNKNOWN_THREAD
        parent = known.post.parent or known.post
        return known.post.thread, parent, ""
    thread = (
        Thread.objects.filter(circle_id=link.circle_id, opened_at__lte=timezone.now())
        .order_by("-week")
        .first()
    )
    return thread, None, "" if thread else IGNORED_NO_THREAD


def slack_event_process(*, event_pk: int) -> SlackEvent | None:
    """Turn one recorded event into a discussion post, or record why it was ignored.

    Idempotent: an event already processed is left alone, and a Slack message (channel and
    ts) becomes at most one post. Calls Slack (users.info) outside any transaction and
    raises SlackError when Slack does not answer, for the task to retry.
    """
    event = SlackEvent.objects.filter(pk=event_pk, outcome=SlackEvent.Outcome.PENDING).first()
    if event is None or event.payload is None:
        return None
    data = event.payload
    if data.get("type") != "message":
        return _finish(event, SlackEvent.Outcome.IGNORED, IGNORED_NOT_MESSAGE)
    subtype = data.get("subtype")
    if subtype not in WRITTEN_SUBTYPES or data.get("bot_id"):
        return _finish(
            event, SlackEvent.Outcome.IGNORED, IGNORED_SUBTYPE.format(subtype=subtype or "bot")
        )
    link = SlackChannelLink.objects.filter(channel_id=data.get("channel", "")).first()
    if link is None:
        return _finish(event, SlackEvent.Outcome.IGNORED, IGNORED_CHANNEL)
    author, reason = _author(data.get("user", ""))
    if author is None:
        return _finish(event, SlackEvent.Outcome.IGNORED, reason)
    ts = str(data.get("ts", ""))
    thread, parent, reason = message_target(link=link, ts=ts, thread_ts=data.get("thread_ts"))
    if thread is None:
        return _finish(event, SlackEvent.Outcome.IGNORED, reason)
    try:
        with transaction.atomic():
            locked = SlackEvent.objects.select_for_update().get(pk=event.pk)
            if locked.outcome != SlackEvent.Outcome.PENDING:
                return locked
            if SlackPost.objects.filter(channel_id=link.channel_id, ts=ts).exists():
                return _finish(event, SlackEvent.Outcome.IGNORED, IGNORED_DUPLICATE)
            post = post_create(
                thread=thread,
                author=author,
                body=slack.markdown_from_slack(str(data.get("text", ""))),
                parent=parent,
                source=Post.Source.SLACK,
            )
            SlackPost.objects.create(channel_id=link.channel_id, ts=ts, post=post)
            return _finish(event, SlackEvent.Outcome.POSTED)
    except ValidationError as exc:
        return _finish(event, SlackEvent.Outcome.IGNORED, " ".join(exc.messages))
