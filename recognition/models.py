"""Light recognition: badges the portal awards itself (Open Badges 3.0) and private thanks.

Nothing here is a score. Badges are awarded by rules the portal checks against its own
records (circles, enrollments, themes); kudos are a private message to one person, seen by
them alone unless they choose to share it with their circle. Neither feeds any HR or
manager view.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from learning_portal.core.models import Hideable


class BadgeClass(models.Model):
    """A badge learning admins define: its name, and the rule that earns it."""

    class Criterion(models.TextChoices):
        ATTENDED_MEETINGS = "attended_meetings", "Attended at least N meetings of a circle"
        FACILITATED_CIRCLE = "facilitated_circle", "Facilitated a circle"
        PUBLISHED_SUMMARY = "published_summary", "Published a meeting summary"
        THEME_ITEMS_COMPLETED = "theme_items_completed", "Completed K elective items in a theme"
        FIRST_ELECTIVE_ENROLLMENT = "first_elective_enrollment", "First elective enrollment"

    # Criteria that count something: the others are met by doing it once.
    COUNTED = (Criterion.ATTENDED_MEETINGS, Criterion.THEME_ITEMS_COMPLETED)
    CIRCLE_CRITERIA = (
        Criterion.ATTENDED_MEETINGS,
        Criterion.FACILITATED_CIRCLE,
        Criterion.PUBLISHED_SUMMARY,
    )

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(
        max_length=1000, help_text="What the badge recognizes, in a sentence or two."
    )
    criterion = models.CharField(max_length=32, choices=Criterion.choices)
    threshold = models.PositiveSmallIntegerField(
        "how many",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="N meetings or K items, for the criteria that count.",
    )
    circle = models.ForeignKey(
        "circles.Circle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this circle (circle criteria). Empty: any one circle.",
    )
    theme = models.ForeignKey(
        "themes.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only this theme (theme criterion). Empty: any one theme.",
    )
    is_active = models.BooleanField(
        "awarded", default=True, help_text="Untick to stop new awards; earned badges stay."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "badge"
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=1) & Q(threshold__lte=100),
                name="recognition_badge_threshold_range",
            ),
            models.CheckConstraint(
                condition=Q(circle__isnull=True)
                | Q(criterion__in=["attended_meetings", "facilitated_circle", "published_summary"]),
                name="recognition_badge_circle_for_circle_criteria",
            ),
            models.CheckConstraint(
                condition=Q(theme__isnull=True) | Q(criterion="theme_items_completed"),
                name="recognition_badge_theme_for_theme_criterion",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("recognition:badge_class", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.circle_id and self.criterion not in self.CIRCLE_CRITERIA:
            errors["circle"] = "Only the circle criteria can be limited to one circle."
        if self.theme_id and self.criterion != self.Criterion.THEME_ITEMS_COMPLETED:
            errors["theme"] = "Only the theme criterion can be limited to one theme."
        if self.criterion not in self.COUNTED and self.threshold != 1:
            errors["threshold"] = "This criterion is met once; leave “how many” at 1."
        if errors:
            raise ValidationError(errors)

    @property
    def criteria_narrative(self) -> str:
        """The rule in words, as the credential and the badge's page state it."""
        where = f"“{self.circle}”" if self.circle_id else "one learning circle"
        match self.criterion:
            case self.Criterion.ATTENDED_MEETINGS:
                count = "1 meeting" if self.threshold == 1 else f"{self.threshold} meetings"
                return f"Attended at least {count} of {where}."
            case self.Criterion.FACILITATED_CIRCLE:
                return f"Facilitated {where}, with at least one meeting held."
            case self.Criterion.PUBLISHED_SUMMARY:
                return f"Published a meeting summary in the archive of {where}."
            case self.Criterion.THEME_ITEMS_COMPLETED:
                theme = f"the theme “{self.theme.title}”" if self.theme_id else "one monthly theme"
                count = "1 item" if self.threshold == 1 else f"{self.threshold} items"
                return f"Completed {count} of {theme}, chosen by the learner."
            case _:
                return "Enrolled in elective learning for the first time, by their own choice."


class BadgeAward(models.Model):
    """One person's badge: awarded once, kept (revoked, with the reason) rather than deleted,
    so a revoked credential still verifies as revoked."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="awards")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    awarded_at = models.DateTimeField()
    evidence = models.CharField(max_length=300, help_text="What earned it, in the portal's words.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        verbose_name = "badge award"
        constraints = [
            # Exactly once per person, whatever races (see services.badge_award).
            models.UniqueConstraint(
                fields=["badge_class", "recipient"], name="recognition_award_once"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="recognition_award_revoked_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.badge_class} for {self.recipient}"

    def get_absolute_url(self):
        return reverse("recognition:award", kwargs={"uid": self.uid})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RecognitionPreference(models.Model):
    """What a person chooses to show others. Nothing is shown until they say so."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recognition_preference"
    )
    show_badges_in_circles = models.BooleanField(
        "show my badges to the members of my circles", default=False
    )

    def __str__(self):
        return f"Recognition preferences of {self.user}"


class Kudos(Hideable):
    """A thank-you from one person to a circle member or facilitator.

    Only the recipient reads it, unless they share it on the circle's page (with its members).
    Never counted, ranked or shown in an HR or manager view.
    """

    class Value(models.TextChoices):
        HELPED_ME_LEARN = "helped_me_learn", "Helped me learn"
        SHARED_INSIGHT = "shared_insight", "Shared an insight"
        GREAT_FACILITATION = "great_facilitation", "Great facilitation"
        MADE_ME_WELCOME = "made_me_welcome", "Made me feel welcome"

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_sent"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received"
    )
    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=24, choices=Value.choices)
    message = models.CharField(max_length=280)
    created_at = models.DateTimeField(db_index=True)
    shared_at = models.DateTimeField(
        null=True, blank=True, help_text="Shared by the recipient on the circle's page."
    )

    class Meta(Hideable.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "kudos"
        indexes = [
            # Uses: the daily limit counts a sender's kudos of the last 24 hours.
            models.Index(fields=["sender", "created_at"], name="recognition_kudos_sender_idx"),
        ]
        constraints = [
            *Hideable.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(sender=models.F("recipient")), name="recognition_kudos_not_self"
            ),
        ]

    def __str__(self):
        return f"Kudos {self.pk} in {self.circle}"


class KudosReport(models.Model):
    """Someone who saw a kudos message (its recipient, or a member when it is shared) asks an
    admin to look at it. Admins see the reported message only, never the others."""

    class Outcome(models.TextChoices):
        OPEN = "open", "Waiting for an admin"
        HIDDEN = "hidden", "Message hidden"
        DISMISSED = "dismissed", "Dismissed: the message stays"

    kudos = models.ForeignKey(Kudos, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "kudos report"
        constraints = [
            models.UniqueConstraint(fields=["kudos", "reporter"], name="recognition_report_once"),
        ]

    def __str__(self):
        return f"Report of kudos {self.kudos_id}"
