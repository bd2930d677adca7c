from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .kinds import Kind


class EmailPreference(models.Model):
    """Which optional emails a person receives. Created lazily: no row means all on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    session_reminders = models.BooleanField(
        "session reminders",
        default=True,
        help_text="A reminder the day before a session you are enrolled in.",
    )
    session_opened = models.BooleanField(
        "new sessions",
        default=True,
        help_text="When a new session opens for something you asked to be told about.",
    )
    theme_announcements = models.BooleanField(
        "monthly themes",
        default=True,
        help_text="An announcement when a new monthly learning theme starts.",
    )
    manager_suggestions = models.BooleanField(
        "suggestions from your manager",
        default=True,
        help_text="When your manager suggests something for you to learn.",
    )
    circle_mentions = models.BooleanField(
        "mentions in circles",
        default=True,
        help_text="When someone mentions you in a learning circle's discussion.",
    )
    circle_digests = models.BooleanField(
        "circle digests",
        default=True,
        help_text="A digest of new posts in your learning circles (daily or weekly, per circle).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Email preferences of {self.user}"

    def get_absolute_url(self):
        return reverse("notifications:preferences")


class SentEmail(models.Model):
    """One email, claimed before it is sent and marked sent after: each key goes out once.

    The claim (status SENDING) is committed before the message is handed to the mail
    server and the row marked SENT right after, so a task delivered twice, or run again
    after its worker was killed, never sends a key twice. A worker killed between the two
    leaves the row SENDING: whether the server got the message is unknown, and after
    UNKNOWN_AFTER the row is listed in the admin for a one-click resend (README
    "Operations"). Until then, and only while it is unsent, the row keeps the rendered
    message so that a resend sends exactly what was meant; once sent it holds the key, kind
    and times only, which reveal no more about a person's learning than the transcript.
    """

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_emails"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    message = models.JSONField(null=True, blank=True, editable=False)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-claimed_at"]
        indexes = [
            models.Index(fields=["user", "sent_at"], name="sent_email_user_time_idx"),
            # Uses index: the admin's "fate unknown" list reads only unsent rows.
            models.Index(
                fields=["claimed_at"],
                name="sent_email_unsent_idx",
                condition=models.Q(status="sending"),
            ),
        ]
        permissions = [("resend_sentemail", "Can resend an email whose fate is unknown")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.user} ({self.key})"


class OutboxMessage(models.Model):
    """A task that a write scheduled, recorded in the write's own transaction.

    The transactional outbox: the row commits or rolls back with the enrollment (or theme
    release, ...) that scheduled it, so a task can be neither lost (Redis down when the
    write committed) nor sent for a write that rolled back. It is published to the broker
    right after the commit when the broker answers, else by the beat task
    `notifications.tasks.dispatch_outbox`; `dispatched_at` is set in the transaction that
    publishes it, under a row lock, so each row is published once (a crash between the
    publish and the commit republishes it; every task is idempotent).
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # Uses index: the sweeper reads only undispatched rows, oldest first.
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]
        verbose_name = "outbox message"

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
