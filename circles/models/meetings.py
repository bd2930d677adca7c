"""The weekly calls: generated from the cadence, answered (RSVP), recorded afterwards
(the wrap-up, attendance)."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .circle import Circle


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
