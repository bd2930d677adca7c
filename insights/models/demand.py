"""The demand board: topics and books people would like a circle or a course on, and +1s.

A proposal names what is wanted, never who wants it beyond its proposer (kept for
moderation only, never shown). A vote is one row per person and proposal, held unique by
the database, so a double click or two browser tabs cannot count a person twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse


class Proposal(models.Model):
    class Kind(models.TextChoices):
        TOPIC = "topic", "A topic"
        BOOK = "book", "A book"

    class Wanted(models.TextChoices):
        CIRCLE = "circle", "A learning circle"
        COURSE = "course", "A course or session"
        EITHER = "either", "Either"

    class Status(models.TextChoices):
        OPEN = "open", "Open for votes"
        PLANNED = "planned", "Planned"
        HIDDEN = "hidden", "Hidden"
        MERGED = "merged", "Merged"

    class Origin(models.TextChoices):
        BOARD = "board", "Proposed on the board"
        DISCUSSION = "discussion", "Suggested in a circle's discussion"

    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.TOPIC)
    wanted = models.CharField(max_length=6, choices=Wanted.choices, default=Wanted.EITHER)
    details = models.TextField(blank=True, max_length=1000)
    # Set by the proposer (optional) or by an admin when moderating; it is what ties the
    # proposal's votes to a topic in HR's demand list.
    topic = models.ForeignKey(
        "catalog.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Null for suggestions from a circle's reviewed takeaways: those belong to no one.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.BOARD)
    status = models.CharField(
        max_length=7, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    status_reason = models.CharField(max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same wish twice splits its votes: the board points to the existing one.
            models.UniqueConstraint(
                Lower("title"),
                condition=Q(status__in=["open", "planned"]),
                name="demand_proposal_title_once",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(status_reason=""),
                name="demand_proposal_moderation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False)
                | (~Q(status="merged") & Q(merged_into__isnull=True)),
                name="demand_proposal_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="demand_proposal_not_own_target"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("demand:detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_votable(self) -> bool:
        """Open and planned proposals take votes (a planned one still shows how many care)."""
        return self.status in (self.Status.OPEN, self.Status.PLANNED)


class Vote(models.Model):
    """A person's +1 on a proposal. Never shown per person, not even to admins."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demand_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="demand_vote_once"),
        ]

    def __str__(self):
        return f"Vote on {self.proposal_id}"
