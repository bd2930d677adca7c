"""Abstract models that apps share: the kernel creates no table of its own."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Hideable(models.Model):
    """Something people wrote that a moderator can hide with a reason (a circle's post, a
    kudos message): the row and its text are kept, with when, by whom and why, for the audit;
    readers no longer see it. A hidden row always says why (the check constraint)."""

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
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="%(app_label)s_%(class)s_hidden_has_reason",
            ),
        ]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
