"""Learning circles: a small cohort that reads a book or explores a topic together.

A circle is built on the layers below it rather than beside them. Its own catalog entry
(`item`, format "learning circle") carries the audience, so who may see and join a circle is
the catalog's visibility rule; its one session (`offering`, a meeting series) carries the
seats and the waitlist, so joining is an enrollment and the transcript is written by the
enrollment services only. The circle adds what only circles have: the plan, the weekly
meetings, the discussion and the archive.
"""

import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from catalog.models import default_timezone, validate_timezone
from enrollment.models import PendingRequest

# Video-call providers a meeting link may point to: the organization's Teams, Zoom or Meet.
VIDEO_HOSTS = ("teams.microsoft.com", "teams.live.com", "zoom.us", "meet.google.com")
VIDEO_URL_INVALID = "Use a Microsoft Teams, Zoom or Google Meet link (https://…)."


def validate_video_url(value: str) -> None:
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    known = any(host == h or host.endswith(f".{h}") for h in VIDEO_HOSTS)
    if parts.scheme != "https" or not known:
        raise ValidationError(VIDEO_URL_INVALID)


class Circle(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for sign-up"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        ARCHIVED = "archived", "Archived"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    # What the circle reads or explores: a book, a course or a topic in the catalog.
    subject = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="circles_on")
    reading = models.CharField(
        "what we read or explore",
        max_length=300,
        help_text="e.g. 'Purple Cow by Seth Godin, one or two chapters a week'.",
    )
    description = models.TextField(blank=True, help_text="Markdown. HTML is sanitized.")
    # The circle's own catalog entry and its one session (the series of meetings).
    item = models.OneToOneField(
        "catalog.Item", on_delete=models.PROTECT, related_name="circle", editable=False
    )
    offering = models.OneToOneField(
        "catalog.Offering", on_delete=models.PROTECT, related_name="circle", editable=False
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_circles"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    # A draft asked to open, waiting for a learning admin (when approval is required).
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    seat_cap = models.PositiveSmallIntegerField(
        "seats",
        default=10,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
        help_text="6–12 is typical for a good conversation.",
    )
    signup_opens_at = models.DateTimeField(null=True, blank=True)
    signup_closes_at = models.DateTimeField(null=True, blank=True)
    start_date = models.DateField(help_text="The date of the first meeting.")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    meeting_time = models.TimeField(help_text="Local time in the circle's time zone.")
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], default=default_timezone
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(15), MaxValueValidator(180)]
    )
    video_url = models.URLField(
        "video-call link", max_length=500, blank=True, validators=[validate_video_url]
    )
    # Discussion takeaways (insights.takeaways): set when a facilitator turns them on; the
    # circle's pages tell members from then on, and only posts written since are analysed.
    takeaways_enabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seat_cap__gte=2) & Q(seat_cap__lte=30), name="circle_seat_cap_range"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0) & Q(weekday__lte=6), name="circle_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__isnull=True)
                | Q(signup_opens_at__isnull=True)
                | Q(signup_closes_at__gt=models.F("signup_opens_at")),
                name="circle_signup_window_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("circles:detail", kwargs={"slug": self.slug})

    def clean(self):
        wrong_day = (
            self.start_date is not None
            and self.weekday is not None
            and self.start_date.weekday() != self.weekday
        )
        if wrong_day:
            raise ValidationError(
                {"start_date": "The first meeting must fall on the circle's weekday."}
            )

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_awaiting_approval(self) -> bool:
        return self.state == self.State.DRAFT and self.submitted_at is not None

    @property
    def is_public(self) -> bool:
        """Past the draft: the organization (within the audience) may see it."""
        return self.state != self.State.DRAFT


class PlanWeek(models.Model):
    """One week of the plan: what to read or explore, and the discussion prompt."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="plan")
    week = models.PositiveSmallIntegerField()
    title = models.CharField("reading or question", max_length=200)
    prompt = models.TextField(
        "discussion prompt",
        blank=True,
        help_text="Opens the week's discussion thread. Edit it before the week starts.",
    )

    class Meta:
        ordering = ["circle", "week"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "week"], name="circle_plan_week_once"),
            models.CheckConstraint(condition=Q(week__gte=1), name="circle_plan_week_positive"),
        ]

    def __str__(self):
        return f"{self.circle} — week {self.week}: {self.title}"


class Signup(models.Model):
    """What a person hoped to get from the circle, asked (optionally) when they join.

    Their seat or waitlist place is the enrollment; this holds only the circle's question.
    """

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_signups"
    )
    hope = models.TextField("what do you hope to get from it?", blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="circle_signup_once"),
        ]

    def __str__(self):
        return f"{self.user} in {self.circle}"


class Interest(PendingRequest):
    """'Notify me of the next circle on this': told once, then fulfilled. Not a record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_interests"
    )
    subject = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    notified_about = models.ForeignKey(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(PendingRequest.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject"],
                condition=Q(notified_at__isnull=True),
                name="circle_interest_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.user} wants circles on {self.subject}"
