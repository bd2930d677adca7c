"""A circle's Slack channel: the link, and the outbox of posts that go there exactly once."""

import datetime
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles.models import Circle, Meeting, Thread, Wrapup
from circles.selectors import circle_membership
from notifications.services import outbox_schedule
from people.models import User

from .. import blocks, slack
from ..models import SlackChannelLink, SlackMessage

logger = logging.getLogger(__name__)

SEND_TASK = "integrations.tasks.send_slack_message"
# A message claimed this long ago and never confirmed was lost with its worker: whether
# Slack got it is unknown, so only a person may send it again.
UNKNOWN_AFTER = datetime.timedelta(minutes=10)

LINK_NOT_ALLOWED = (
    "Only the circle's facilitators or a learning admin can connect it to Slack or Notion."
)
CHANNEL_ID_INVALID = (
    "Enter the channel's ID, e.g. C024BE91L: in Slack, open the channel's name, then the "
    "“About” tab; the ID is at the bottom."
)
SLACK_NOT_CONFIGURED = (
    "This portal has no Slack app yet (SLACK_BOT_TOKEN): paste the channel's incoming-webhook "
    "URL instead, or ask an administrator to set up the app (README, “Slack and Notion”)."
)
WEBHOOK_URL_INVALID = "Paste the incoming webhook's URL as Slack shows it: it starts with {prefix}."
CHANNEL_NOT_FOUND = (
    "The portal's Slack app cannot see that channel. In Slack, add the app to the channel "
    "(channel name → Integrations → Add an app) and try again. ({error})"
)
CHANNEL_TAKEN = "That channel is already linked to “{title}”: a channel feeds one circle."
UNLINKED = "The circle is no longer linked to this channel."
RESEND_NOT_ALLOWED = (
    "Only a failed message, or one whose fate is unknown, can be sent again; this one is {state}."
)
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,20}$")


def require_manager(*, circle: Circle, actor: User) -> None:
    if not circle_membership(user=actor, circle=circle).can_manage:
        raise ValidationError(LINK_NOT_ALLOWED)


def slack_link_save(
    *, circle: Circle, actor: User, channel_id: str, webhook_url: str = ""
) -> SlackChannelLink:
    """Link the circle to a Slack channel (or change its channel or webhook).

    With the portal's bot token the channel is checked with Slack (and the bot joins a
    public channel); without one, posts go through the webhook URL. The week's prompt, if
    a thread is open, goes out at once. Calls Slack before its transaction, so call it
    outside one.

    Raises ValidationError: LINK_NOT_ALLOWED, CHANNEL_ID_INVALID, WEBHOOK_URL_INVALID,
    SLACK_NOT_CONFIGURED, CHANNEL_NOT_FOUND, CHANNEL_TAKEN.
    """
    require_manager(circle=circle, actor=actor)
    channel_id = channel_id.strip()
    if not _CHANNEL_ID.match(channel_id):
        raise ValidationError(CHANNEL_ID_INVALID)
    webhook_url = webhook_url.strip()
    if webhook_url and not slack.webhook_url_allowed(webhook_url):
        raise ValidationError(WEBHOOK_URL_INVALID.format(prefix=settings.SLACK_WEBHOOK_URL_PREFIX))
    name = ""
    if slack.bot_configured():
        try:
            info = slack.channel_info(channel_id)
            if not info["is_member"] and not info["is_private"]:
                slack.channel_join(channel_id)
        except slack.SlackError as exc:
            raise ValidationError(CHANNEL_NOT_FOUND.format(error=exc)) from exc
        name = info["name"]
    elif not webhook_url:
        raise ValidationError(SLACK_NOT_CONFIGURED)
    with transaction.atomic():
        taken = (
            SlackChannelLink.objects.filter(channel_id=channel_id)
            .exclude(circle=circle)
            .select_related("circle")
            .first()
        )
        if taken:
            raise ValidationError(CHANNEL_TAKEN.format(title=taken.circle.title))
        try:
            with transaction.atomic():
                link, _ = SlackChannelLink.objects.update_or_create(
                    circle=circle,
                    defaults={
                        "channel_id": channel_id,
                        "channel_name": name,
                        "webhook_url": webhook_url,
                        "linked_by": actor,
                        "linked_at": timezone.now(),
                    },
                )
        except IntegrityError:
            # Another circle linked the channel between the check above and this write (the
            # unique constraint decides): the same refusal, not a server error.
            taken = (
                SlackChannelLink.objects.filter(channel_id=channel_id)
                .exclude(circle=circle)
                .select_related("circle")
                .first()
            )
            if taken is None:
                raise
            raise ValidationError(CHANNEL_TAKEN.format(title=taken.circle.title)) from None
        current = (
            Thread.objects.filter(circle=circle, opened_at__lte=timezone.now())
            .order_by("-week")
            .first()
        )
        if current is not None:
            slack_prompt_schedule(thread=current)
    logger.info("Circle %s linked to Slack channel %s by %s", circle.pk, channel_id, actor.pk)
    return link


@transaction.atomic
def slack_link_remove(*, circle: Circle, actor: User) -> None:
    """Unlink the circle: nothing more is posted, replies are no longer taken in. Messages
    not sent yet are dropped (marked failed, UNLINKED).

    Raises ValidationError: LINK_NOT_ALLOWED.
    """
    require_manager(circle=circle, actor=actor)
    SlackChannelLink.objects.filter(circle=circle).delete()
    SlackMessage.objects.filter(circle=circle, status=SlackMessage.Status.PENDING).update(
        status=SlackMessage.Status.FAILED, last_error=UNLINKED
    )


def _schedule(
    *, kind: str, week_of: Thread | Meeting, key: str, content: tuple[str, list]
) -> SlackMessage | None:
    """A message about one week of a circle (its thread or its meeting) for the circle's
    channel, recorded once by key and sent after the commit; None when the circle has no
    channel. `content` is the text and the blocks (integrations.blocks)."""
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "A Slack message is scheduled inside the write's transaction."
        )
    link = SlackChannelLink.objects.filter(circle=week_of.circle).first()
    if link is None:
        return None
    text, body = content
    message, created = SlackMessage.objects.get_or_create(
        key=key,
        defaults={
            "circle": week_of.circle,
            "kind": kind,
            "week": week_of.week,
            "channel_id": link.channel_id,
            "text": text,
            "blocks": body,
        },
    )
    if created:
        outbox_schedule(task=SEND_TASK, args=[message.pk])
    return message


def slack_prompt_schedule(*, thread: Thread) -> SlackMessage | None:
    """The week's prompt, with a "Discuss on the portal" button, once per thread."""
    content = blocks.prompt_message(thread)
    key = f"prompt:{thread.pk}"
    return _schedule(kind=SlackMessage.Kind.PROMPT, week_of=thread, key=key, content=content)


def slack_reminder_schedule(*, meeting: Meeting) -> SlackMessage | None:
    """The reminder of a meeting with the call link, once per meeting and start time (a
    moved meeting is reminded again)."""
    content = blocks.reminder_message(meeting)
    key = f"reminder:{meeting.pk}:{meeting.starts_at.isoformat()}"
    return _schedule(kind=SlackMessage.Kind.REMINDER, week_of=meeting, key=key, content=content)


def slack_summary_schedule(*, wrapup: Wrapup) -> SlackMessage | None:
    """The published weekly summary, once per publication."""
    content = blocks.summary_message(wrapup)
    key = f"summary:{wrapup.pk}:{wrapup.published_at.isoformat()}"
    return _schedule(
        kind=SlackMessage.Kind.SUMMARY, week_of=wrapup.meeting, key=key, content=content
    )


def _claim(message_id: int) -> tuple[SlackMessage, SlackChannelLink] | None:
    with transaction.atomic():
        message = SlackMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != SlackMessage.Status.PENDING:
            return None
        link = SlackChannelLink.objects.filter(circle_id=message.circle_id).first()
        if link is None or link.channel_id != message.channel_id:
            message.status = SlackMessage.Status.FAILED
            message.last_error = UNLINKED
            message.save(update_fields=["status", "last_error"])
            return None
        message.status = SlackMessage.Status.SENDING
        message.claimed_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
    return message, link


def slack_message_send(*, message_id: int) -> bool:
    """Send one outbox message unless it was sent, is being sent, or was given up.

    The claim (SENDING) is committed before Slack is called and the row marked SENT after,
    so a task delivered twice posts once. When Slack fails the row goes back to PENDING
    (or FAILED, for an error no retry can mend) with the error, and the SlackError is
    raised for the task to retry. Returns whether this call posted it. Call it outside
    any transaction.
    """
    claimed = _claim(message_id)
    if claimed is None:
        return False
    message, link = claimed
    # The bot when the portal has one (its messages have a ts, so replies find their week);
    # otherwise the circle's incoming webhook.
    webhook_url = "" if slack.bot_configured() else link.webhook_url
    try:
        if not webhook_url and not slack.bot_configured():
            raise slack.SlackError(SLACK_NOT_CONFIGURED, permanent=True)
        ts = slack.post_message(
            channel=message.channel_id,
            text=message.text,
            blocks=message.blocks,
            webhook_url=webhook_url,
        )
    except BaseException as exc:
        permanent = isinstance(exc, slack.SlackError) and exc.permanent
        status = SlackMessage.Status.FAILED if permanent else SlackMessage.Status.PENDING
        SlackMessage.objects.filter(pk=message.pk, status=SlackMessage.Status.SENDING).update(
            status=status, last_error=f"{exc}"[:500] or type(exc).__name__
        )
        raise
    SlackMessage.objects.filter(pk=message.pk).update(
        status=SlackMessage.Status.SENT, sent_at=timezone.now(), ts=ts, last_error=""
    )
    return True


def slack_message_give_up(*, message_id: int) -> None:
    """After the last retry: the message is FAILED (its last error kept) until a person
    sends it again from the admin."""
    SlackMessage.objects.filter(pk=message_id, status=SlackMessage.Status.PENDING).update(
        status=SlackMessage.Status.FAILED
    )


@transaction.atomic
def slack_message_requeue(
    *, message: SlackMessage, actor: User | None, now: datetime.datetime | None = None
) -> SlackMessage:
    """Send again a message that failed, or whose fate is unknown (claimed by a worker that
    died before it was confirmed). The row is locked, so two clicks queue it once.

    Raises ValidationError: RESEND_NOT_ALLOWED.
    """
    now = now or timezone.now()
    locked = SlackMessage.objects.select_for_update().get(pk=message.pk)
    unknown = (
        locked.status == SlackMessage.Status.SENDING
        and locked.claimed_at is not None
        and locked.claimed_at <= now - UNKNOWN_AFTER
    )
    if locked.status != SlackMessage.Status.FAILED and not unknown:
        state = {
            SlackMessage.Status.SENT: "sent",
            SlackMessage.Status.PENDING: "waiting to be sent",
        }.get(locked.status, "being sent")
        raise ValidationError(RESEND_NOT_ALLOWED.format(state=state))
    locked.status = SlackMessage.Status.PENDING
    locked.save(update_fields=["status"])
    outbox_schedule(task=SEND_TASK, args=[locked.pk])
    logger.info("Slack message %s queued again by %s", locked.pk, getattr(actor, "pk", None))
    return locked
