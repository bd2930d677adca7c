import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Variant(models.TextChoices):
    MANAGER = "manager", "Managers"
    EMPLOYEE = "employee", "All employees"
    GENERIC = "generic", "Signed-out visitors"


def generate_placement_secret() -> str:
    return secrets.token_urlsafe(48)


def validate_origin(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValidationError(
            "Enter an origin such as https://intranet.example.org (scheme and host, no path)."
        )


class Placement(models.Model):
    """An intranet page that embeds the widget: its origin and the secret its server signs with.

    Only the origins of active placements may frame the widget or call its JSON endpoint.
    """

    name = models.CharField(max_length=120)
    key = models.SlugField(
        max_length=60, unique=True, help_text="Identifies the placement inside embed tokens."
    )
    origin = models.CharField(max_length=200, validators=[validate_origin])
    secret = models.CharField(
        max_length=100,
        default=generate_placement_secret,
        help_text="Shared with the intranet's server only; it signs embed tokens with it.",
    )
    default_variant = models.CharField(
        max_length=10,
        choices=[(Variant.MANAGER, "Managers"), (Variant.EMPLOYEE, "All employees")],
        default=Variant.EMPLOYEE,
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.origin})"

    def save(self, *args, **kwargs):
        self.origin = self.origin.rstrip("/")
        super().save(*args, **kwargs)


class Dismissal(models.Model):
    """'Not interested': the item is no longer suggested to this person. Not a transcript entry."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="widget_dismissals"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="widgets_dismissal_once"),
        ]

    def __str__(self):
        return f"{self.user} dismissed {self.item}"


class Interest(models.Model):
    """A topic a person would like to hear about (set on their profile).

    Interests steer the person's suggestions and nothing else, so they live with the
    suggestions: the people app knows nothing of the catalog's topics.
    """

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="interests"
    )
    topic = models.ForeignKey("catalog.Topic", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["employee", "topic"], name="widgets_interest_once"),
        ]

    def __str__(self):
        return f"{self.employee} is interested in {self.topic}"


class TeamSuggestion(models.Model):
    """A manager's 'suggest to my team': shown to their direct reports until it expires.

    It never enrolls anyone. The manager later sees uptake as a count over the team only.
    """

    manager = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="team_suggestions"
    )
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "item"], name="widgets_team_suggestion_once"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="widgets_team_suggestion_expires_after_created",
            ),
        ]

    def __str__(self):
        return f"{self.manager} suggested {self.item}"


class WidgetDailyCount(models.Model):
    """Aggregate widget activity: per day, item and variant (and department where ≥ 5 people).

    Holds no user: the widget's tracking is counts only.
    """

    day = models.DateField()
    item = models.ForeignKey("catalog.Item", on_delete=models.CASCADE, related_name="+")
    variant = models.CharField(max_length=10, choices=Variant.choices)
    department = models.ForeignKey(
        "people.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    impressions = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    dismissals = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]
        constraints = [
            # Two partial constraints instead of one, because NULL departments would otherwise
            # count as distinct and let duplicate rows in.
            models.UniqueConstraint(
                fields=["day", "item", "variant", "department"],
                condition=Q(department__isnull=False),
                name="widgets_count_day_item_variant_dept",
            ),
            models.UniqueConstraint(
                fields=["day", "item", "variant"],
                condition=Q(department__isnull=True),
                name="widgets_count_day_item_variant",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.item_id} {self.variant}"


class EmbedTokenRejection(models.Model):
    """Embed tokens that were refused, counted per day and reason (tampered, expired, …)."""

    day = models.DateField()
    reason = models.CharField(max_length=40)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "reason"]
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="widgets_token_rejection_once"),
        ]

    def __str__(self):
        return f"{self.day} {self.reason}: {self.count}"
