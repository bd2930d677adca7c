"""Import of catalog items from items.csv, upserted by `external_id`.

Split by job: `columns` (the file's columns, messages and cell parsers), `importer` (the
one-pass check and bulk write), `writes` (upserts and links).
"""

from django.db import transaction

from ..report import ImportReport
from ..runner import run_import
from .columns import (
    CHANGE_REASON,
    ITEM_COLUMNS,
    ITEM_MULTILINE_COLUMNS,
    ITEM_NEW_TOPICS,
    ITEM_OPTIONAL_COLUMNS,
    ITEM_REQUIRED_COLUMNS,
    ITEM_UNKNOWN_AUDIENCES,
    ITEM_UNKNOWN_TOPICS,
    UPSERT_FIELDS,
    WRITE_BATCH_SIZE,
    validation_messages,
)
from .importer import ItemImporter

__all__ = [
    "CHANGE_REASON",
    "ITEM_COLUMNS",
    "ITEM_MULTILINE_COLUMNS",
    "ITEM_NEW_TOPICS",
    "ITEM_OPTIONAL_COLUMNS",
    "ITEM_REQUIRED_COLUMNS",
    "ITEM_UNKNOWN_AUDIENCES",
    "ITEM_UNKNOWN_TOPICS",
    "UPSERT_FIELDS",
    "WRITE_BATCH_SIZE",
    "ItemImporter",
    "item_import_csv",
    "validation_messages",
]


@transaction.atomic
def item_import_csv(
    *, data: bytes, dry_run: bool = False, atomic: bool = False, create_topics: bool = False
) -> ImportReport:
    """Create or update catalog items from the bytes of an items CSV file.

    Rows are matched to items by `external_id`. Each row is applied in its own savepoint,
    so a bad row is reported (with its row number, the header being row 1) and leaves no
    trace while the good rows are kept; with `atomic`, any bad row means nothing is kept;
    with `dry_run`, nothing is kept and the report says what would have happened. Topics
    named in the file must exist unless `create_topics`; audiences must exist. Items that
    changed get their search fields refreshed once at the end. Never raises for bad input:
    a file that cannot be read at all comes back as the report's `file_error`.
    """
    return run_import(
        kind="items",
        data=data,
        required=ITEM_REQUIRED_COLUMNS,
        optional=ITEM_OPTIONAL_COLUMNS,
        importer_factory=lambda table: ItemImporter(table, create_topics=create_topics),
        dry_run=dry_run,
        atomic=atomic,
        multiline=ITEM_MULTILINE_COLUMNS,
    )
