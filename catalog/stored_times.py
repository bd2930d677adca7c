"""Rows whose stored times lie outside 2000–2100 (UTC), found without reading those times.

PostgreSQL stores times Python cannot hold (year 10000, 1 BC). Every form, import and model
`clean()` refuses them now (`learning_portal.core.dates`), but a row stored before that, or by
raw SQL, must not break what reads many rows at once: the catalog index leaves such items out,
the export skips them and says which, and an import reads them with those times cleared, so
importing the row again repairs it. Only ids are read; the comparison happens in SQL.
"""

from django.db.models import Q

from learning_portal.core import dates

from .models import OFFERING_TIMES, Item, Offering

ITEM_TIMES = ("publish_start", "publish_end")


def _outside_range(fields) -> Q:
    outside = Q()
    for field in fields:
        outside |= Q(**{f"{field}__lt": dates.EARLIEST}) | Q(**{f"{field}__gt": dates.LATEST})
    return outside


def unreadable_offering_ids() -> set[int]:
    return set(Offering.objects.filter(_outside_range(OFFERING_TIMES)).values_list("pk", flat=True))


def unreadable_item_ids(*, with_sessions: bool = True) -> set[int]:
    """Items whose own (and, `with_sessions`, whose sessions') stored times are unreadable."""
    ids = set(Item.objects.filter(_outside_range(ITEM_TIMES)).values_list("pk", flat=True))
    if with_sessions:
        ids |= set(
            Offering.objects.filter(_outside_range(OFFERING_TIMES)).values_list(
                "item_id", flat=True
            )
        )
    return ids


def readable(queryset, unreadable: set[int], fields) -> list:
    """The queryset's rows, those in `unreadable` with `fields` not read (left as None)."""
    rows = list(queryset.exclude(pk__in=sorted(unreadable)))
    if unreadable:
        for row in queryset.filter(pk__in=sorted(unreadable)).defer(*fields):
            for field in fields:
                setattr(row, field, None)
            rows.append(row)
    return rows
