"""CSV import of the catalog: items (items.csv) and their sessions (sessions.csv).

Used by the `import_catalog` management command and the Item admin's import page.
"""

from .items import ITEM_COLUMNS, item_import_csv
from .report import ImportReport, RowAction, RowResult
from .sessions import SESSION_COLUMNS, offering_import_csv

IMPORTERS = {"items": item_import_csv, "sessions": offering_import_csv}

__all__ = [
    "IMPORTERS",
    "ITEM_COLUMNS",
    "SESSION_COLUMNS",
    "ImportReport",
    "RowAction",
    "RowResult",
    "item_import_csv",
    "offering_import_csv",
]
