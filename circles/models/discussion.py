"""The async discussion: a thread per week, posts and replies, digests, and the quotes
copied from it into the archive."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from learning_portal.core.models import Hideable

from .circle import Circle


class Thread(models.Model):
    """One week's discussion, opened with that week's prompt (copied when it opens)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="threads")
    week = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    prompt = models.TextField()
    opened_at = models.DateTimeField()

    class Meta:
        ordering = ["circle", "week"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "week"], name="circle_thread_week_once"),
        ]

    def __str__(self):
        return f"{self.circle} — week {self.week}"

    def get_absolute_url(self):
        return reverse("circles:thread", kwargs={"slug": self.circle.slug, "week": self.week})


def visible_posts_q(prefix: str = "") -> Q:
    """Posts the members read: neither hidden by a facilitator nor deleted by their author.
    `prefix` reaches them through a relation ("posts__")."""
    return Q(**{f"{prefix}hidden_at__isnull": True, f"{prefix}deleted_at__isnull": True})


class Post(Hideable):
    """A post or a reply (one level) in a week's thread; the body is Markdown, sanitized
    when shown. Hidden posts keep their text, who hid them and why, for the audit."""

    class Source(models.TextChoices):
        PORTAL = "portal", "The portal"
        SLACK = "slack", "Slack"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_posts"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(max_length=5000)
    may_quote = models.BooleanField(
        "may be quoted",
        default=False,
        help_text="The facilitators may quote this (without your name) in the circle's archive.",
    )
    # Where it was written: here, or in the circle's linked Slack channel (a reply that came
    # back, or an imported export; see integrations).
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PORTAL)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author while it had replies: the text is gone, the place stays.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta(Hideable.Meta):
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "parent", "created_at"], name="circle_post_thread_idx")
        ]

    def __str__(self):
        return f"Post {self.pk} by {self.author} in {self.thread}"

    def get_absolute_url(self):
        return f"{self.thread.get_absolute_url()}#post-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class DigestSetting(models.Model):
    """How often a member gets the circle's digest of new posts: daily, weekly or never."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Never"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="digest_settings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_digests"
    )
    frequency = models.CharField(max_length=6, choices=Frequency.choices, default=Frequency.DAILY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="circle_digest_once"),
        ]

    def __str__(self):
        return f"{self.user}: {self.frequency} digest of {self.circle}"


class Quote(models.Model):
    """A line from the discussion whose author ticked "may be quoted", copied into the
    archive without a name. Copied, not linked: it outlives the discussion's retention."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="quotes")
    week = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=1000)
    post = models.OneToOneField(
        "Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="quote"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["circle", "week", "created_at"]

    def __str__(self):
        return f"Quote in {self.circle}, week {self.week}"
