"""What an import did (or, in a preview, would do), row by row."""

from dataclasses import dataclass, field
from enum import StrEnum


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class RowError(Exception):
    """A row cannot be imported; raised inside the row's savepoint so nothing of it stays."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class RowResult:
    number: int
    external_id: str
    action: RowAction
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    atomic: bool
    rows: list[RowResult] = field(default_factory=list)
    # Set when the file as a whole was refused (encoding, header, empty); then no rows.
    file_error: str | None = None

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.action == RowAction.ERROR)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_error) or self.error_count > 0

    @property
    def applied(self) -> bool:
        """Whether the good rows were written (not a preview, not refused as a whole)."""
        if self.dry_run or self.file_error:
            return False
        return not (self.atomic and self.error_count)

    def count(self, action: RowAction) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self) -> str:
        if self.file_error:
            return f"Nothing was imported. {self.file_error}"
        created = self.count(RowAction.CREATE)
        updated = self.count(RowAction.UPDATE)
        unchanged = self.count(RowAction.UNCHANGED)
        errors = self.error_count
        rows_with_errors = f"{errors} row{'s' if errors != 1 else ''} with errors"
        if self.applied:
            skipped = f", {rows_with_errors} skipped" if errors else ""
            return (
                f"Imported: {created} created, {updated} updated, {unchanged} unchanged{skipped}."
            )
        counts = (
            f"{created} to create, {updated} to update, {unchanged} unchanged, {rows_with_errors}"
        )
        if self.dry_run:
            return f"Preview only, nothing was changed: {counts}."
        return f"Nothing was changed because some rows have errors (all or nothing): {counts}."
