"""The import report is the kernel's (`learning_portal.core.csvfiles.report`), shared with
the HR feed; re-exported here for the catalog's importers and their callers."""

from learning_portal.core.csvfiles.report import ImportReport, RowAction, RowError, RowResult

__all__ = ["ImportReport", "RowAction", "RowError", "RowResult"]
