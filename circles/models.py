"""Learning circles: a small cohort that reads a book or explores a topic together.

A circle is built on the layers below it rather than beside them. Its own catalog entry
(`item`, format "learning circle") carries the audience, so who may see and join a circle is
the catalog's visibility rule; its one session (`offering`, a meeting series) carries the
seats and the waitlist, so joining is an enrollment and the transcript is written by the
enrollment services only. The circle adds what only circles have: the plan, the weekly
meetings, the discussion and the archive.
"""

import datetime
import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from catalog.models import validate_timezone

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
        max_length=64, validators=[validate_timezone], default=settings.TIME_ZONE
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(15), MaxValueValidator(180)]
    )
    video_url = models.URLField(
        "video-call link", max_length=500, blank=True, validators=[validate_video_url]
    )
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


class Meeting(models.Model):
    """One weekly call, generated from the cadence and then editable on its own."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings")
    week = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # The slot the cadence gave it: the occurrence a moved meeting replaces in calendars
    # (its RECURRENCE-ID in the series' invite).
    scheduled_for = models.DateTimeField(editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.SCHEDULED, db_index=True
    )
    reminder_note = models.TextField(
        blank=True, help_text="Added to the reminder sent the day before."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["circle", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "week"], name="circle_meeting_week_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="circle_meeting_ends_after"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="circle_meeting_due_idx")]

    def __str__(self):
        return f"{self.circle} — week {self.week} ({self.local_starts_at:%d %b %Y %H:%M})"

    def get_absolute_url(self):
        return self.circle.get_absolute_url() + f"#meeting-{self.week}"

    @property
    def local_starts_at(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at, self.circle.tzinfo)

    @property
    def local_ends_at(self) -> datetime.datetime:
        return timezone.localtime(self.ends_at, self.circle.tzinfo)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.starts_at != self.scheduled_for


class Rsvp(models.Model):
    """A member's yes/no for one meeting, given from the reminder's signed link or the page."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes, I'll be there"
        NO = "no", "No, I can't make it"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_rsvps"
    )
    answer = models.CharField(max_length=3, choices=Answer.choices)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["meeting", "user"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="circle_rsvp_once"),
        ]

    def __str__(self):
        return f"{self.user}: {self.answer} for {self.meeting}"


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


class Interest(models.Model):
    """'Notify me of the next circle on this': told once, then fulfilled. Not a record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_interests"
    )
    subject = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_about = models.ForeignKey(
        Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject"],
                condition=Q(notified_at__isnull=True),
                name="circle_interest_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.user} wants circles on {self.subject}"


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


class Post(models.Model):
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
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "parent", "created_at"], name="circle_post_thread_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="circle_post_hidden_has_reason",
            ),
        ]

    def __str__(self):
        return f"Post {self.pk} by {self.author} in {self.thread}"

    def get_absolute_url(self):
        return f"{self.thread.get_absolute_url()}#post-{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

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


# Asked after each meeting, one per week in turn.
REFLECTION_QUESTIONS = (
    "What idea from this week will people most likely use at work?",
    "Where did the conversation disagree, and why?",
    "What question should we carry into next week?",
    "What surprised the group most?",
    "What would you do differently when facilitating this session again?",
)


class Wrapup(models.Model):
    """The facilitator's record of one meeting; its summary and key insights go to the
    circle's archive once published."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="wrapup")
    held = models.BooleanField("the meeting took place", default=True)
    head_count = models.PositiveSmallIntegerField(
        "people there", null=True, blank=True, validators=[MaxValueValidator(200)]
    )
    rating = models.PositiveSmallIntegerField(
        "how the session went (1–5)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    reflection_question = models.CharField(max_length=200)
    reflection = models.TextField("your answer", blank=True, max_length=2000)
    summary = models.TextField(
        blank=True, max_length=5000, help_text="Markdown. Published in the circle's archive."
    )
    insights = models.TextField(
        "key insights",
        blank=True,
        max_length=3000,
        help_text="One short bullet per line. Published in the circle's archive.",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
                name="circle_wrapup_rating_range",
            ),
        ]

    def __str__(self):
        return f"Wrap-up of {self.meeting}"

    @property
    def insight_list(self) -> list[str]:
        return [line.strip(" -*•\t") for line in self.insights.splitlines() if line.strip(" -*•\t")]

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Attendance(models.Model):
    """Whether one person was at one meeting. Seen by that person, the circle's
    facilitators and learning admins only."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_attendance"
    )
    attended = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "user"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="circle_attendance_once"),
        ]

    def __str__(self):
        return f"{self.user} {'at' if self.attended else 'not at'} {self.meeting}"


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


class LearnerSurvey(models.Model):
    """A learner's end-of-circle answers. Only aggregates over MIN_GROUP_SIZE people are
    ever shown; "what I'll try" is private to its author (their 30-day check-in)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="learner_surveys")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_surveys"
    )
    goal_met = models.PositiveSmallIntegerField(
        "did you get what you hoped for? (1 = not at all, 5 = fully)",
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    will_try = models.TextField(
        "what will you try at work?",
        blank=True,
        max_length=1000,
        help_text="Private: we email it back to you in 30 days, to see how it went.",
    )
    would_recommend = models.BooleanField("would you recommend the circle to a colleague?")
    answered_at = models.DateTimeField(default=timezone.now)
    checkin_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="circle_learner_survey_once"),
            models.CheckConstraint(
                condition=Q(goal_met__gte=1) & Q(goal_met__lte=5),
                name="circle_learner_survey_goal_range",
            ),
        ]

    def __str__(self):
        return f"Survey of {self.user} for {self.circle}"


class FacilitatorSurvey(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="facilitator_surveys")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(
        "how did the circle go? (1–5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    would_facilitate_again = models.BooleanField("would you facilitate another circle?")
    notes = models.TextField("what should the next facilitator know?", blank=True, max_length=2000)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user"], name="circle_facilitator_survey_once"
            ),
        ]

    def __str__(self):
        return f"Facilitator survey of {self.user} for {self.circle}"
