"""The import loop shared by items and sessions, in one transaction.

Sessions are written row by row, each in a savepoint (enrollment reacts to every saved
session). Items are checked row by row without writing and written in bulk by the importer's
`finish()`. A preview runs the same checks and rolls everything back, so what it reports is
what applying the file would do.
"""

from collections import defaultdict
from typing import Protocol

from django.db import IntegrityError, transaction

from learning_portal.core.csvfiles import CsvFileError, CsvRow, CsvTable, read_csv

from ..services import ID_BATCH_SIZE
from .report import ImportReport, RowAction, RowError, RowResult

EXTERNAL_ID_REQUIRED = "external_id: a value is required."
EXTERNAL_ID_DUPLICATE = (
    "external_id: “{external_id}” appears more than once in the file (rows {rows})."
)
ROW_NOT_SAVED = "The row could not be saved: {error}"


class RowImporter(Protocol):
    # True: import_row() writes, so it runs in a savepoint of its own; False: it only checks
    # and finish() writes every accepted row.
    writes_per_row: bool

    def import_row(self, row: CsvRow) -> RowResult: ...

    def finish(self, report: ImportReport) -> None: ...


def in_batches_of(values: list[str]) -> list[list[str]]:
    """The distinct non-empty values, sorted, in slices SQLite accepts (see ID_BATCH_SIZE)."""
    values = sorted({value for value in values if value})
    return [values[start : start + ID_BATCH_SIZE] for start in range(0, len(values), ID_BATCH_SIZE)]


def in_batches(queryset, field: str, values: list[str]) -> list:
    """`queryset.filter(<field>__in=values)`, a slice of values at a time."""
    return [
        obj for batch in in_batches_of(values) for obj in queryset.filter(**{f"{field}__in": batch})
    ]


def _duplicates(table: CsvTable) -> dict[str, list[int]]:
    numbers: dict[str, list[int]] = defaultdict(list)
    for row in table.rows:
        external_id = row.values.get("external_id", "")
        if external_id:
            numbers[external_id].append(row.number)
    return {external_id: rows for external_id, rows in numbers.items() if len(rows) > 1}


def _refusal(row: CsvRow, duplicates: dict[str, list[int]]) -> list[str]:
    if row.error:
        return [row.error]
    external_id = row.values.get("external_id", "")
    if not external_id:
        return [EXTERNAL_ID_REQUIRED]
    if external_id in duplicates:
        rows = ", ".join(str(number) for number in duplicates[external_id])
        return [EXTERNAL_ID_DUPLICATE.format(external_id=external_id, rows=rows)]
    return []


def run_import(
    *,
    kind: str,
    data: bytes,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    importer_factory,
    dry_run: bool,
    atomic: bool,
    multiline: tuple[str, ...] = (),
) -> ImportReport:
    report = ImportReport(kind=kind, dry_run=dry_run, atomic=atomic)
    try:
        table = read_csv(data, required=required, optional=optional, multiline=multiline)
    except CsvFileError as exc:
        report.file_error = exc.message
        return report
    # Every row that shares an external ID is refused: which one the admin meant is a guess.
    duplicates = _duplicates(table)
    with transaction.atomic():
        importer: RowImporter = importer_factory(table)
        for row in table.rows:
            report.add(_import_row(importer, row, duplicates))
        if report.applied:
            importer.finish(report)
        # Checked again: finish() may reject a row the database refused.
        if not report.applied:
            transaction.set_rollback(True)
    return report


def _import_row(importer: RowImporter, row: CsvRow, duplicates) -> RowResult:
    external_id = row.values.get("external_id", "")
    errors = _refusal(row, duplicates)
    if errors:
        return RowResult(row.number, external_id, RowAction.ERROR, errors=errors)
    try:
        if not importer.writes_per_row:
            return importer.import_row(row)
        with transaction.atomic():
            return importer.import_row(row)
    except RowError as exc:
        errors = exc.messages
    except IntegrityError as exc:
        # A last line of defence (e.g. a slug taken by a concurrent edit): the savepoint
        # keeps the rest of the import intact.
        errors = [ROW_NOT_SAVED.format(error=exc)]
    return RowResult(row.number, external_id, RowAction.ERROR, errors=errors)
