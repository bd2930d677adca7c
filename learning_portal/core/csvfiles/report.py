"""What an import did (or, in a preview, would do), row by row: one model for every import.

Every data row gets one RowResult: created, updated, unchanged or rejected (`ERROR`), with
its spreadsheet row number and key (the external ID, the employee ID). `errors` say why a
row was rejected; `warnings` what of an imported row was left as it was (a reporting line
that would close a cycle); `notes` what else happened (topics created). Counts are kept as
rows are added, so a report of 100,000 rows answers `error_count` at once.
"""

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class RowError(Exception):
    """A row cannot be imported; `messages` say why."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class RowResult:
    number: int
    key: str
    action: RowAction
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowProblem:
    """One line of a report's problem list: a row, its key and what was wrong."""

    row: int
    key: str
    reason: str

    def __str__(self):
        who = f" ({self.key})" if self.key else ""
        return f"row {self.row}{who}: {self.reason}"


@dataclass
class ImportReport:
    kind: str
    dry_run: bool = False
    atomic: bool = False
    rows: list[RowResult] = field(default_factory=list)
    # Set when the file as a whole was refused (encoding, header, empty); then no rows.
    file_error: str | None = None
    _counts: Counter = field(default_factory=Counter, repr=False, compare=False)

    def add(self, result: RowResult) -> RowResult:
        self.rows.append(result)
        self._counts[result.action] += 1
        return result

    def reject(self, result: RowResult, errors: list[str]) -> None:
        """Turn a row already added into a rejected one (it failed when it was written)."""
        self._counts[result.action] -= 1
        result.action = RowAction.ERROR
        result.changed = []
        result.errors = errors
        self._counts[RowAction.ERROR] += 1

    def sort(self) -> None:
        self.rows.sort(key=lambda row: row.number)

    def count(self, action: RowAction) -> int:
        return self._counts[action]

    @property
    def created(self) -> int:
        return self.count(RowAction.CREATE)

    @property
    def updated(self) -> int:
        return self.count(RowAction.UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(RowAction.UNCHANGED)

    @property
    def error_count(self) -> int:
        return self.count(RowAction.ERROR)

    rejected = error_count

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_error) or self.error_count > 0

    @property
    def applied(self) -> bool:
        """Whether the good rows were written (not a preview, not refused as a whole)."""
        if self.dry_run or self.file_error:
            return False
        return not (self.atomic and self.error_count)

    @property
    def rejected_rows(self) -> list[RowProblem]:
        return [
            RowProblem(row.number, row.key, "; ".join(row.errors))
            for row in self.rows
            if row.action == RowAction.ERROR
        ]

    @property
    def warning_rows(self) -> list[RowProblem]:
        return [
            RowProblem(row.number, row.key, warning)
            for row in self.rows
            for warning in row.warnings
        ]

    @property
    def summary(self) -> str:
        if self.file_error:
            return f"Nothing was imported. {self.file_error}"
        created, updated, unchanged = self.created, self.updated, self.unchanged
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

    def problems_as_data(self) -> list[dict]:
        """The rejected rows and the warnings as JSON-ready dicts (for an import log)."""
        return [
            {"kind": kind, "row": problem.row, "key": problem.key, "reason": problem.reason}
            for kind, problems in (("rejected", self.rejected_rows), ("warning", self.warning_rows))
            for problem in problems
        ]
