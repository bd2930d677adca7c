from collections.abc import Iterable, Mapping
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from .importing import (
    FILE_NO_FILE,
    FeedImporter,
    ImportReport,
    feed_from_bytes,
    feed_from_rows,
)
from .models import ImportRun, User

# Any fixed number: PostgreSQL advisory locks are keyed by integers the application chooses.
PEOPLE_IMPORT_LOCK = 0x48524645


class _DryRunFinished(Exception):
    """Carries a dry run's report out of the transaction that is rolled back."""

    def __init__(self, report: ImportReport):
        super().__init__("dry run")
        self.report = report


@transaction.atomic
def people_import(
    *,
    file: BinaryIO | bytes | None = None,
    rows: Iterable[Mapping[str, object]] | None = None,
    filename: str = "",
    dry_run: bool = False,
    deactivate_missing: bool = False,
    force: bool = False,
    actor: User | None = None,
    source: str = ImportRun.Source.COMMAND,
) -> ImportReport:
    """Import the HR feed: upsert people by employee ID, then their reporting lines.

    Give the CSV as `file` (bytes or a binary file) or already-split `rows` (mappings of
    column to value). Bad rows are rejected with their row number and reason and never stop
    the good rows; a manager link that is unknown, circular or to oneself is reported and left
    unchanged while the person is imported. With `deactivate_missing`, active employees absent
    from the feed are deactivated (superusers excepted), unless that is more than
    `importing.DEACTIVATION_LIMIT` of active employees and `force` is not set. A dry run does
    everything and rolls it back. Every completed run is recorded as an ImportRun.

    Raises ValidationError, changing nothing, when the file cannot be used (not CSV or not
    UTF-8, empty, header only, required columns missing) or the deactivation limit is hit.
    """
    if file is None and rows is None:
        raise ValidationError(FILE_NO_FILE)
    if rows is not None:
        feed = feed_from_rows(rows)
    else:
        data = file if isinstance(file, bytes) else file.read()
        feed = feed_from_bytes(data)
    _wait_for_other_imports()
    report = ImportReport(dry_run=dry_run, deactivate_missing=deactivate_missing)
    importer = FeedImporter(
        feed=feed, report=report, deactivate_missing=deactivate_missing, force=force
    )
    try:
        with transaction.atomic():
            importer.run()
            if dry_run:
                raise _DryRunFinished(report)
    except _DryRunFinished:
        pass
    ImportRun.objects.create(
        actor=actor,
        source=source,
        filename=filename[:255],
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
        rows=report.row_count,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        deactivated=report.deactivated,
        problems=report.problems_as_data(),
    )
    return report


def _wait_for_other_imports() -> None:
    # The nightly job and an admin upload at the same moment would each plan from what they
    # read before the other wrote. On PostgreSQL the second waits until the first commits;
    # SQLite lets only one writer in at a time anyway.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PEOPLE_IMPORT_LOCK])
