"""Pre-aggregated monthly figures: what the insights dashboard and the monthly report read.

Written only by `insights.services.rollups` (a beat task, idempotent): the dashboard never
counts raw enrollments per request. Every row is a count over a group of people, never a
person; groups too small to show, or whose difference from another shown group is, are
stored as suppressed and never displayed.
"""

from django.db import models


class Dimension(models.TextChoices):
    ALL = "all", "Everyone"
    DEPARTMENT = "department", "Department"
    ROLE = "role", "Role"
    LOCATION = "location", "Location"
    MANAGER = "manager", "Manager or not"


class GroupRollup(models.Model):
    """One month's figures for one group of employees (everyone, a department, a role…).

    The people counted are those with an active account when the month's figures were
    taken, grouped by their HR attributes at that moment (the HR feed keeps no history).
    A month is recomputed by each run until the first run after it ends, which freezes it
    (`is_final`): the line then shows what was true at the time.
    """

    month = models.DateField(help_text="The first day of the month.")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    # A department or role slug, a location, "managers"/"others"; blank for everyone.
    value = models.CharField(max_length=200, blank=True)
    label = models.CharField(max_length=200)
    people = models.PositiveIntegerField()
    managers = models.PositiveIntegerField()
    # Engaged since 1 January of the month's year, up to the month's end.
    engaged = models.PositiveIntegerField()
    managers_engaged = models.PositiveIntegerField()
    # In the month itself.
    active_learners = models.PositiveIntegerField()
    enrollments = models.PositiveIntegerField()
    completions = models.PositiveIntegerField()
    # Hidden (too small, or recoverable from other shown groups): stored, never shown.
    suppressed = models.BooleanField(default=False)
    managers_suppressed = models.BooleanField(default=False)
    is_final = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["month", "dimension", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "dimension", "value"], name="insights_group_rollup_once"
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.get_dimension_display()}: {self.label}"


class MonthlyKpis(models.Model):
    """The organization-wide KPIs of one month that are not per group (see services)."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    data = models.JSONField(default=dict)
    is_final = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["month"]
        verbose_name = "monthly KPIs"
        verbose_name_plural = "monthly KPIs"

    def __str__(self):
        return f"KPIs {self.month:%Y-%m}"


class MonthlyReport(models.Model):
    """The record that a month's report was sent out: exactly one per month.

    Its unique month is what makes the report go once even when two beat processes or a
    retried task race: only the transaction that inserts this row queues the emails.
    """

    month = models.DateField(unique=True, help_text="The first day of the month reported on.")
    queued_at = models.DateTimeField(auto_now_add=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"Report for {self.month:%B %Y}"
