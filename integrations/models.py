"""Slack and Notion links of a circle, the Slack outbox, Slack's events, Notion's pages.

Circles know nothing of these tables: a circle's services send signals (circles.signals) and
the receivers here decide whether a linked channel or Notion page needs anything.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SlackChannelLink(models.Model):
    """A circle's Slack channel: prompts, reminders and summaries are posted there and
    replies come back into the circle's weekly threads."""

    circle = models.OneToOneField(
        "circles.Circle", on_delete=models.CASCADE, related_name="slack_link"
    )
    channel_id = models.CharField(
        "channel ID",
        max_length=32,
        help_text="Slack's channel ID (C…), shown under the channel's details in Slack.",
    )
    channel_name = models.CharField(max_length=80, blank=True)
    # The simplest setup: an incoming webhook posts to one channel, without a bot token
    # (nothing comes back from Slack then). Secret like a token: never shown back in full.
    webhook_url = models.URLField("incoming-webhook URL", max_length=500, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One channel feeds one circle: a reply must know which discussion it belongs to.
            models.UniqueConstraint(fields=["channel_id"], name="slack_link_channel_once"),
        ]

    def __str__(self):
        return f"{self.circle} ↔ #{self.channel_name or self.channel_id}"


class SlackMessage(models.Model):
    """One message for a circle's channel: the outbox row that sends it exactly once.

    Recorded in the transaction of the write that calls for it (a thread opened, a summary
    published), then sent by a Celery task. The task claims the row (SENDING, committed)
    before it calls Slack and marks it SENT after, so a task delivered twice sends once.
    A failed call puts the row back to PENDING with its last error and the task retries
    with backoff; after the last retry the row is FAILED and the admin can send it again.
    A worker killed mid-call leaves the row SENDING: whether Slack got it is unknown, and
    the admin lists such rows for a deliberate resend (as for emails).
    """

    class Kind(models.TextChoices):
        PROMPT = "prompt", "Week's prompt"
        REMINDER = "reminder", "Meeting reminder"
        SUMMARY = "summary", "Weekly summary"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True)
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="slack_messages"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    week = models.PositiveSmallIntegerField(null=True, blank=True)
    channel_id = models.CharField(max_length=32)
    text = models.TextField(help_text="The notification text (and the fallback of the blocks).")
    blocks = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Slack's message timestamp (its ID in the channel); replies in its thread are matched
    # to the week by it. Empty for a message posted through a webhook.
    ts = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Uses index: a reply's thread_ts is looked up among the channel's messages.
            models.Index(fields=["channel_id", "ts"], name="slack_message_ts_idx"),
        ]
        verbose_name = "Slack message"

    def __str__(self):
        return f"{self.get_kind_display()} for {self.circle} ({self.get_status_display()})"


class SlackEvent(models.Model):
    """An Events API callback, kept by Slack's event ID: a redelivery is acknowledged and
    dropped. The payload is deleted once processed (it holds what someone wrote)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Not processed yet"
        POSTED = "posted", "Posted in the discussion"
        IGNORED = "ignored", "Ignored"

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64, blank=True)
    team_id = models.CharField(max_length=32, blank=True)
    payload = models.JSONField(null=True, blank=True, editable=False)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "Slack event"

    def __str__(self):
        return f"{self.event_type or 'event'} {self.event_id}"


class SlackPost(models.Model):
    """A discussion post that came from Slack (an event or an imported export), by the
    message's channel and `ts`: the same message never becomes two posts.

    The row outlives its post (`post` empty): a post its author deleted, or erased with
    all their posts, or that retention removed, is never imported again from an export
    holding the Slack message. Only the message's channel and ts are kept, no text."""

    channel_id = models.CharField(max_length=32)
    ts = models.CharField(max_length=32)
    post = models.OneToOneField(
        "circles.Post", on_delete=models.SET_NULL, null=True, related_name="slack"
    )
    imported = models.BooleanField(default=False, help_text="From an export, not an event.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel_id", "ts"], name="slack_post_ts_once"),
        ]

    def __str__(self):
        return f"Slack {self.channel_id}/{self.ts} → post {self.post_id}"


class NotionLink(models.Model):
    """Where a circle's archive goes in Notion: a parent page or a database."""

    class ParentKind(models.TextChoices):
        PAGE = "page", "A page"
        DATABASE = "database", "A database"

    circle = models.OneToOneField(
        "circles.Circle", on_delete=models.CASCADE, related_name="notion_link"
    )
    parent_kind = models.CharField(
        max_length=10, choices=ParentKind.choices, default=ParentKind.PAGE
    )
    parent_id = models.CharField(max_length=36)
    parent_title = models.CharField(max_length=300, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)
    # The last push to Notion, for the facilitator's page and the admin.
    pushed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    def __str__(self):
        return f"{self.circle} → Notion {self.parent_kind} {self.parent_id}"


class NotionPage(models.Model):
    """A page the portal created in Notion: one per published week, and one for the whole
    archive (week 0). Its ID is kept so that publishing again updates the same page."""

    ARCHIVE = 0

    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="notion_pages"
    )
    week = models.PositiveSmallIntegerField(help_text="0: the whole archive.")
    page_id = models.CharField(max_length=36)
    url = models.URLField(max_length=500, blank=True)
    parent_id = models.CharField(max_length=36)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["circle", "week"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "week"], name="notion_page_week_once"),
        ]
        verbose_name = "Notion page"

    def __str__(self):
        what = f"week {self.week}" if self.week else "archive"
        return f"{self.circle} — {what} in Notion"

    @property
    def is_archive(self) -> bool:
        return self.week == self.ARCHIVE
