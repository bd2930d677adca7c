"""Duration bands: how the catalog groups items by how long they take."""

from django.db.models import Q, TextChoices


class DurationBand(TextChoices):
    # A "day" is a working day of training (8 hours), the unit course leaders plan in.
    SHORT = "short", "Under 30 min"
    MEDIUM = "medium", "30 min – 2 h"
    LONG = "long", "2 h – 1 day"
    MULTI_DAY = "multi_day", "More than a day"


DURATION_BAND_Q = {
    DurationBand.SHORT: Q(duration_minutes__lt=30),
    DurationBand.MEDIUM: Q(duration_minutes__gte=30, duration_minutes__lt=120),
    DurationBand.LONG: Q(duration_minutes__gte=120, duration_minutes__lte=480),
    DurationBand.MULTI_DAY: Q(duration_minutes__gt=480),
}
