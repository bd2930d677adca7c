"""CSV export of the whole catalog for admins, in the columns the import reads.

Exporting and importing the result again changes nothing: times are written in ISO 8601
with their offset (items in the portal's zone, sessions in their own), lists as the
semicolon-separated names the import resolves, and every cell is formula-escaped.
"""

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

from learning_portal.core.csvfiles import iter_csv, write_csv

from .importing import ITEM_COLUMNS, SESSION_COLUMNS
from .importing.values import LIST_SEPARATOR
from .models import Item, Offering
from .stored_times import unreadable_item_ids, unreadable_offering_ids

# Rows are streamed from the database in chunks so a large catalog is never held at once.
CHUNK_SIZE = 500


def _when(value: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> str:
    return timezone.localtime(value, zone).isoformat() if value else ""


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _names(manager) -> str:
    return f"{LIST_SEPARATOR} ".join(sorted(obj.name for obj in manager.all()))


def _item_rows(skipped: list[int]) -> Iterator[list[str]]:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    # An item whose stored times Python cannot read is left out (and named) rather than
    # failing the whole export.
    skipped.extend(sorted(unreadable_item_ids(with_sessions=False)))
    items = (
        Item.objects.exclude(pk__in=skipped)
        .order_by("title", "pk")
        .prefetch_related("topics", "audiences")
    )
    for item in items.iterator(chunk_size=CHUNK_SIZE):
        yield [
            item.external_id or "",
            item.title,
            item.slug,
            item.summary,
            item.description,
            item.format,
            item.delivery,
            item.provider,
            _number(item.duration_minutes),
            item.level,
            item.language,
            _names(item.topics),
            _names(item.audiences),
            item.launch_url,
            "true" if item.is_published else "false",
            _when(item.publish_start, zone),
            _when(item.publish_end, zone),
        ]


def _session_rows(skipped: list[int]) -> Iterator[list[str]]:
    skipped.extend(sorted(unreadable_offering_ids()))
    offerings = (
        Offering.objects.exclude(pk__in=skipped)
        .select_related("item")
        .order_by("item__title", "starts_at", "pk")
    )
    for offering in offerings.iterator(chunk_size=CHUNK_SIZE):
        zone = offering.tzinfo
        yield [
            offering.external_id or "",
            offering.item.external_id or "",
            offering.title,
            _when(offering.starts_at, zone),
            _when(offering.ends_at, zone),
            offering.timezone,
            offering.location,
            offering.online_url,
            _number(offering.capacity),
            _when(offering.enrollment_opens_at, zone),
            _when(offering.enrollment_closes_at, zone),
        ]


def item_csv_lines() -> Iterator[str]:
    """The items export as lazily produced CSV lines (for a streaming download)."""
    return iter_csv(ITEM_COLUMNS, _item_rows([]))


def offering_csv_lines() -> Iterator[str]:
    """The sessions export as lazily produced CSV lines (for a streaming download)."""
    return iter_csv(SESSION_COLUMNS, _session_rows([]))


def item_csv_export(*, out, skipped: list[int] | None = None) -> int:
    """Write every item (published or not) to the text stream `out`; returns the row count.

    Items without an external ID are written with an empty one: the import refuses such
    rows, so give them an ID before editing the file and importing it back. Items whose
    stored times are outside 2000–2100 are left out; their ids are added to `skipped`.
    """
    return write_csv(out, ITEM_COLUMNS, _item_rows(skipped if skipped is not None else []))


def offering_csv_export(*, out, skipped: list[int] | None = None) -> int:
    """Write every session to the text stream `out`; returns the row count. Sessions whose
    stored times are outside 2000–2100 are left out; their ids are added to `skipped`."""
    return write_csv(out, SESSION_COLUMNS, _session_rows(skipped if skipped is not None else []))
