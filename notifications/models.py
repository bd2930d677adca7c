from django.conf import settings
from django.db import models
from django.urls import reverse

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
    """One email that has gone out, keyed so that a task delivered twice sends it once.

    Holds the key, kind and time only — not the body — so it reveals no more about a
    person's learning than the transcript already does.
    """

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_emails"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["user", "sent_at"], name="sent_email_user_time_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.user} ({self.key})"
