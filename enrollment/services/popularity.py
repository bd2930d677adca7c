"""Item popularity: enrollments of the last 90 days."""

import datetime

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.index import catalog_changed
from catalog.models import Item

from ..models import Enrollment

POPULARITY_WINDOW = datetime.timedelta(days=90)


def item_popularity_refresh(*, now: datetime.datetime | None = None) -> int:
    """Set every Item.popularity to its enrollments of the last 90 days, in one UPDATE.

    Withdrawn and cancelled enrollments still count: they measure interest. Returns the
    number of items whose value changed. Meant for a periodic (Celery beat) task.
    """
    since = (now or timezone.now()) - POPULARITY_WINDOW
    recent = (
        Enrollment.objects.filter(item=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    fresh = Coalesce(Subquery(recent), Value(0))
    changed = (
        Item.objects.annotate(fresh=fresh).exclude(popularity=F("fresh")).update(popularity=fresh)
    )
    if changed:
        # The catalog's "most popular" order is read from its index; a bulk UPDATE sends no
        # signal, so say so.
        catalog_changed()
    return changed
