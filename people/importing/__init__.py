"""The HR feed import, behind `people.services.people_import`.

The feed is the source of truth for who works here, so the import is strict about the file
(a file it cannot read changes nothing) and forgiving about rows (a bad row is reported with
its row number and reason, and never stops the good ones).
"""

from .feed import (
    FILE_BINARY,
    FILE_DUPLICATE_COLUMNS,
    FILE_EMPTY,
    FILE_MISSING_COLUMNS,
    FILE_NO_DATA_ROWS,
    FILE_NO_FILE,
    FILE_NOT_UTF8,
    FILE_TOO_LARGE,
    FILE_UTF16,
    MAX_FILE_BYTES,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ROW_BAD_BOOLEAN,
    ROW_CONTROL_CHARACTERS,
    ROW_INVALID_EMAIL,
    ROW_MISSING_VALUES,
    ROW_NO_SLUG,
    ROW_TOO_LONG,
    Feed,
    feed_from_bytes,
    feed_from_rows,
)
from .importer import NOBODY_DEACTIVATED, FeedImporter
from .loading import (
    DEACTIVATION_LIMIT,
    DEACTIVATION_OVER_LIMIT,
    ROW_DUPLICATE_EMAIL,
    ROW_DUPLICATE_ID,
    ROW_EMAIL_FREED_LATER,
    ROW_EMAIL_USED_BY_ACCOUNT,
    ROW_EMAIL_USED_BY_EMPLOYEE,
)
from .report import ImportReport, RowProblem
from .reporting_lines import LINK_CYCLE, LINK_NOT_FOUND, LINK_SELF
from .upserts import ROW_NOT_SAVED

__all__ = [
    "DEACTIVATION_LIMIT",
    "DEACTIVATION_OVER_LIMIT",
    "FILE_BINARY",
    "FILE_DUPLICATE_COLUMNS",
    "FILE_EMPTY",
    "FILE_MISSING_COLUMNS",
    "FILE_NO_DATA_ROWS",
    "FILE_NO_FILE",
    "FILE_NOT_UTF8",
    "FILE_UTF16",
    "FILE_TOO_LARGE",
    "LINK_CYCLE",
    "LINK_NOT_FOUND",
    "LINK_SELF",
    "NOBODY_DEACTIVATED",
    "MAX_FILE_BYTES",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ROW_BAD_BOOLEAN",
    "ROW_CONTROL_CHARACTERS",
    "ROW_DUPLICATE_EMAIL",
    "ROW_DUPLICATE_ID",
    "ROW_EMAIL_FREED_LATER",
    "ROW_EMAIL_USED_BY_ACCOUNT",
    "ROW_EMAIL_USED_BY_EMPLOYEE",
    "ROW_INVALID_EMAIL",
    "ROW_MISSING_VALUES",
    "ROW_NOT_SAVED",
    "ROW_NO_SLUG",
    "ROW_TOO_LONG",
    "Feed",
    "FeedImporter",
    "ImportReport",
    "RowProblem",
    "feed_from_bytes",
    "feed_from_rows",
]
