"""Discussion takeaways: what the portal proposes from a circle's week of discussion, and what
its facilitator made of it.

One row per circle and week. The analysis (insights.takeaways.analysis) writes a draft; the
facilitator edits and publishes it. Only a published row is shown beyond the facilitators,
and no row holds anything per person: no authors, no counts per author, redacted text only
(`author_count` is how many different people wrote the week, a size, never who).
"""

from django.conf import settings
from django.db import models


class WeeklyTakeaway(models.Model):
    circle = models.ForeignKey(
        "circles.Circle", on_delete=models.CASCADE, related_name="weekly_takeaways"
    )
    week = models.PositiveSmallIntegerField()
    # Each a list of short strings (phrases, theme lines, sentences), edited one per line.
    key_phrases = models.JSONField(default=list, blank=True)
    themes = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=list, blank=True)
    demand_phrases = models.JSONField(default=list, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # How many different people wrote the week's posts: below group_size_floor() the week
    # stays within its circle (no HR themes, no demand-board wishes).
    author_count = models.PositiveIntegerField(default=0)
    # A digest of the posts the draft was made from: the nightly run re-proposes a draft
    # only when the discussion changed, and never touches one the facilitator edited.
    source_digest = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the posts of an edited or published week changed (a post deleted, hidden or
    # removed by retention) and lines no post contains any more were dropped; cleared when
    # the facilitator publishes again.
    sources_changed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["circle", "week"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "week"], name="takeaway_circle_week_once"),
        ]

    def __str__(self):
        return f"Takeaways of {self.circle_id}, week {self.week}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None
