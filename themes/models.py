import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from learning_portal.core import dates


def add_months(day: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


class Theme(models.Model):
    """One month's learning series: an introduction, ordered items and featured sessions.

    A theme is public from its release time on, decided in the query (see
    `themes.selectors.released_q`), so it appears on time even when no worker runs.
    """

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        # Withdrawn from the portal (for example, content no longer current); admins still
        # open it. Past themes stay public in the archive while they are published.
        ARCHIVED = "archived", "Archived"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    month = models.DateField(unique=True, help_text="The first day of the theme's month.")
    introduction = models.TextField(blank=True, help_text="Markdown. HTML is sanitized.")
    image = models.ImageField(upload_to="themes/", blank=True)
    image_alt = models.CharField(
        "image description",
        max_length=200,
        blank=True,
        help_text="What the image shows, for people who use a screen reader.",
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.DRAFT, db_index=True, editable=False
    )
    release_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the theme becomes public."
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    items = models.ManyToManyField(
        "catalog.Item", through="ThemeItem", related_name="themes", blank=True
    )
    featured_offerings = models.ManyToManyField(
        "catalog.Offering",
        blank=True,
        related_name="featured_in_themes",
        verbose_name="featured sessions",
    )
    featured_circles = models.ManyToManyField(
        "circles.Circle",
        blank=True,
        related_name="featured_in_themes",
        help_text="Learning circles to join this month; the theme page shows those still open.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "archived"]) | Q(release_at__isnull=False),
                name="themes_theme_released_states_have_time",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.month:%B %Y})"

    def get_absolute_url(self):
        return reverse("themes:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = dates.out_of_range_errors(self, ["month", "release_at"])
        if errors:
            raise ValidationError(errors)
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "Use the first day of the month."})

    def is_released(self, now=None) -> bool:
        """The same rule as `released_q`, for one row already in memory."""
        now = now or timezone.now()
        return (
            self.state in (self.State.SCHEDULED, self.State.PUBLISHED)
            and self.release_at is not None
            and self.release_at <= now
        )

    @property
    def month_end(self):
        """The first day of the next month (exclusive end of the theme's month)."""
        return add_months(self.month, 1)


class ThemeItem(models.Model):
    """A catalog item's place in a theme, with the curator's note on why it is there."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="theme_entries")
    position = models.PositiveIntegerField(default=0)
    curator_note = models.CharField(
        max_length=500, blank=True, help_text="Optional: why this item is in the theme."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "item"], name="themes_item_once_per_theme"),
        ]
        verbose_name = "theme item"

    def __str__(self):
        return f"{self.position}. {self.item}"


class ThemeRelease(models.Model):
    """The record that a theme's release was handled: exactly one per theme.

    The one-to-one key is what makes the release announcement happen once even when two
    beat processes or a retried task race: only the transaction that inserts this row
    announces.
    """

    theme = models.OneToOneField(Theme, on_delete=models.CASCADE, related_name="release")
    released_at = models.DateTimeField(default=timezone.now)
    # Set by the one run that fans the announcement out into batches.
    announcement_queued_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-released_at"]

    def __str__(self):
        return f"Release of {self.theme}"
