from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Source(models.TextChoices):
    """Where an enrollment came from, so HR can see what brings people in."""

    CATALOG = "catalog", "Catalog"
    ITEM_PAGE = "item_page", "Item page"
    THEME_PAGE = "theme_page", "Theme page"
    WIDGET_MANAGER = "widget_manager", "Widget (manager variant)"
    WIDGET_EMPLOYEE = "widget_employee", "Widget (employee variant)"
    MANAGER_SUGGESTION = "manager_suggestion", "Manager suggestion"
    CIRCLE = "circle", "Learning circle"
    DIRECT = "direct", "Direct link"
    ADMIN = "admin", "Admin"

    @classmethod
    def parse(cls, value: str | None) -> "Source":
        """An untrusted parameter: unknown values are recorded as a direct link."""
        if value in cls.values and value != cls.ADMIN:
            return cls(value)
        return cls.DIRECT


ACTIVE_STATUSES = ("enrolled", "waitlisted")


class Enrollment(models.Model):
    """A person's enrollment in a self-paced item, or in one session (offering) of an item."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "On the waitlist"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CANCELLED = "cancelled", "Session cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="enrollments")
    # Null for self-paced items, which have no sessions.
    offering = models.ForeignKey(
        "catalog.Offering",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DIRECT)
    # The waitlist is first-in-first-out by this timestamp (ties broken by id).
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    reflection = models.TextField(blank=True, help_text="The learner's own note on completion.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The last line of defence against double submits: one active enrollment per
            # person per session, and per self-paced item.
            models.UniqueConstraint(
                fields=["user", "offering"],
                condition=Q(status__in=ACTIVE_STATUSES, offering__isnull=False),
                name="enrollment_one_active_per_offering",
            ),
            models.UniqueConstraint(
                fields=["user", "item"],
                condition=Q(status__in=ACTIVE_STATUSES, offering__isnull=True),
                name="enrollment_one_active_per_self_paced_item",
            ),
            # One session of an item at a time: a person switches sessions rather than
            # holding seats in two of them (services check first; this catches the race).
            models.UniqueConstraint(
                fields=["user", "item"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="enrollment_one_active_per_item",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlisted_at__isnull=False),
                name="enrollment_waitlisted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(offering__isnull=False),
                name="enrollment_waitlist_needs_offering",
            ),
        ]
        indexes = [
            models.Index(
                fields=["offering", "status", "waitlisted_at", "id"], name="enrollment_queue_idx"
            ),
            models.Index(fields=["user", "status"], name="enrollment_user_status_idx"),
        ]

    def __str__(self):
        return f"{self.user} → {self.offering or self.item} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def has_seat(self) -> bool:
        """Holds a place in a session (not waitlisted): the session's join link is theirs."""
        return self.offering_id is not None and self.status == self.Status.ENROLLED

    def can_withdraw(self, now=None) -> bool:
        """Whether the place may still be given up (if active): until its session starts;
        a self-paced item at any time; a meeting series (a learning circle, which runs for
        weeks) until its last meeting ends, since a member may step out of what is left."""
        if self.offering_id is None:
            return True
        if self.offering.meeting_series:
            return (now or timezone.now()) < self.offering.ends_at
        return not self.offering.has_started(now)


class TranscriptEvent(models.Model):
    """The learner's official record: append-only, written only by enrollment services."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITLISTED = "waitlisted", "Waitlisted"
        PROMOTED = "promoted", "Promoted from the waitlist"
        WITHDREW = "withdrew", "Withdrew"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Session cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transcript_events"
    )
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="events")
    item = models.ForeignKey("catalog.Item", on_delete=models.PROTECT, related_name="+")
    offering = models.ForeignKey(
        "catalog.Offering", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    # Who did it: the learner, or an admin acting on their behalf.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(db_index=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["user", "occurred_at"], name="transcript_user_time_idx")]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()} {self.item} at {self.occurred_at:%Y-%m-%d}"


class PendingRequest(models.Model):
    """A "notify me" request: pending until it is told once (`notified_at`), then fulfilled.
    Never part of the transcript. Subclasses add who asks about what, and the partial unique
    constraint that keeps one pending request each (see `services.pending_request_register`).
    """

    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class SavedItem(models.Model):
    """'Save for later': a bookmark. Never part of the transcript."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_items"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="saved_item_once"),
        ]

    def __str__(self):
        return f"{self.user} saved {self.item}"


class SessionInterest(PendingRequest):
    """'Notify me when a session opens': told once, then the request is fulfilled."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_interests"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")

    class Meta(PendingRequest.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item"],
                condition=Q(notified_at__isnull=True),
                name="session_interest_one_pending",
            ),
        ]

    def __str__(self):
        return f"{self.user} wants sessions of {self.item}"
