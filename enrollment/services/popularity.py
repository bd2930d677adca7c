"""Item popularity: enrollments of the last 90 days."""

import datetime

from django.db.models import Count
from django.utils import timezone

from catalog.services import item_popularity_set

from ..models import Enrollment

POPULARITY_WINDOW = datetime.timedelta(days=90)


def item_popularity_refresh(*, now: datetime.datetime | None = None) -> int:
    """Set every Item.popularity to its enrollments of the last 90 days, in one UPDATE.

    Withdrawn and cancelled enrollments still count: they measure interest. The catalog
    writes its column (`catalog.services.item_popularity_set`). Returns the number of items
    whose value changed. Meant for a periodic (Celery beat) task.
    """
    since = (now or timezone.now()) - POPULARITY_WINDOW
    recent = (
        Enrollment.objects.filter(created_at__gte=since)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
    )
    return item_popularity_set(counts=recent)
