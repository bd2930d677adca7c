"""Catalog CSV import at 100k rows (dry run, apply, --atomic report) and a 1-row HR import.

The items file is the seeded catalog as `export_catalog` writes it, with most summaries
changed and a tenth of the rows new items (`BENCH_IMPORT_ROWS` rows, default 100,000, as one
admin loads a provider's whole catalog). Cases, each run once (they take seconds, not
milliseconds):

- dry run: `item_import_csv(dry_run=True)`, the preview an admin reads first (target 60 s);
- apply: the same file applied, in a transaction rolled back afterwards so the data set
  stays as seeded (the commit itself is not timed; target 120 s);
- atomic report: `import_catalog items FILE --atomic` with one bad row, report printed to a
  buffer (nothing is written; issue 17: this grew with the square of the rows);
- HR 1 row: `people_import` of a one-person feed among every seeded employee, applied and
  rolled back (issue 17: every employee used to be loaded first).

Figures depend on the machine's load: the load average is printed above them.
"""

import contextlib
import csv
import io
import os
import tempfile
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from bench.harness import Context
from catalog.exporting import item_csv_export
from catalog.importing import RowAction, item_import_csv
from people.models import Employee
from people.services import people_import

IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 100_000))
DRY_RUN_TARGET_MS = 60_000
APPLY_TARGET_MS = 120_000
# The atomic report and the HR import are interactive: an admin waits for them.
ATOMIC_TARGET_MS = 60_000
HR_TARGET_MS = 1_000


class _Rollback(Exception):
    pass


def items_file(rows: int, *, bad_row: bool = False) -> bytes:
    """The exported catalog, half the summaries changed, a tenth of the rows new items."""
    out = io.StringIO()
    item_csv_export(out=out)
    header, *body = csv.reader(io.StringIO(out.getvalue(), newline=""))
    summary = header.index("summary")
    new_rows = max(1, rows // 10)
    stamp = int(time.time())
    records = []
    for number, record in enumerate(body[: rows - new_rows]):
        if number % 2:
            record[summary] = f"{record[summary]} (bench {stamp})"
        records.append(record)
    for number in range(new_rows):
        record = list(body[0])
        record[0] = f"BENCH-NEW-{number:06d}"
        record[1] = f"Bench new item {number}"
        record[2] = f"bench-new-item-{number}"
        records.append(record)
    if bad_row:
        record = list(body[0])
        record[0], record[2] = "BENCH-BAD", "bench-bad"
        record[header.index("format")] = "not-a-format"
        records.append(record)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(records)
    return text.getvalue().encode()


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def _apply(data: bytes):
    try:
        with transaction.atomic():
            report = item_import_csv(data=data)
            raise _Rollback(report)
    except _Rollback as done:
        return done.args[0]


def _counts(report) -> str:
    parts = [f"{action.value} {report.count(action)}" for action in RowAction]
    return ", ".join(parts)


def _atomic_report(data: bytes) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "items.csv"
        path.write_bytes(data)
        out = io.StringIO()
        with contextlib.suppress(CommandError):
            call_command("import_catalog", "items", str(path), "--atomic", stdout=out)
        return out.getvalue().count("\n")


def _hr_one_row() -> str:
    employee = Employee.objects.select_related("user").order_by("pk").first()
    feed = (
        "employee_id,email,first_name,last_name,job_title\r\n"
        f"{employee.employee_id},{employee.user.email},{employee.user.first_name},"
        f"{employee.user.last_name},Bench title {time.time()}\r\n"
    ).encode()
    try:
        with transaction.atomic():
            report = people_import(file=feed, filename="bench.csv")
            raise _Rollback(report)
    except _Rollback as done:
        report = done.args[0]
    return report.summary if isinstance(report.summary, str) else report.summary()


def run(ctx: Context) -> None:
    print(f"Building a {IMPORT_ROWS}-row items file from the seeded catalog ...")
    data = items_file(IMPORT_ROWS)
    print(f"{len(data) / 1e6:.1f} MB")

    elapsed, report = _timed(lambda: item_import_csv(data=data, dry_run=True))
    ctx.report(
        f"catalog import, dry run, {IMPORT_ROWS} rows",
        {"dry run": [elapsed]},
        target_ms=DRY_RUN_TARGET_MS,
        notes={"dry run": _counts(report)},
    )
    elapsed, report = _timed(lambda: _apply(data))
    ctx.report(
        f"catalog import, apply, {IMPORT_ROWS} rows (rolled back)",
        {"apply": [elapsed]},
        target_ms=APPLY_TARGET_MS,
        notes={"apply": _counts(report)},
    )
    bad = items_file(IMPORT_ROWS, bad_row=True)
    elapsed, lines = _timed(lambda: _atomic_report(bad))
    ctx.report(
        f"import_catalog --atomic report, {IMPORT_ROWS + 1} rows, 1 bad",
        {"atomic report": [elapsed]},
        target_ms=ATOMIC_TARGET_MS,
        notes={"atomic report": f"{lines} lines printed"},
    )
    employees = Employee.objects.count()
    samples, summary = [], ""
    for _ in range(max(ctx.rounds // 5, 3)):
        elapsed, summary = _timed(_hr_one_row)
        samples.append(elapsed)
    ctx.report(
        f"people_import, 1-row feed among {employees} employees (rolled back)",
        {"HR 1 row": samples},
        target_ms=HR_TARGET_MS,
        notes={"HR 1 row": summary},
    )
