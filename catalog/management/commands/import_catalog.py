"""`import_catalog items|sessions FILE`: load catalog items or their sessions from CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.importing import IMPORTERS, ImportReport, RowAction

ACTION_WORDS = {
    RowAction.CREATE: ("would create", "created"),
    RowAction.UPDATE: ("would update", "updated"),
    RowAction.UNCHANGED: ("unchanged", "unchanged"),
    RowAction.ERROR: ("error", "error"),
}


def row_lines(report: ImportReport) -> list[str]:
    """One line per row (plus one per error), worded for a preview or a real run."""
    lines = []
    # Asked once: the words depend on the whole report, not on the row.
    tense = 1 if report.applied else 0
    for row in report.rows:
        word = ACTION_WORDS[row.action][tense]
        detail = f" ({', '.join(row.changed)})" if row.changed else ""
        notes = "".join(f" {note}" for note in row.notes)
        lines.append(f"Row {row.number} {row.key or '-'}: {word}{detail}{notes}")
        lines.extend(f"    {error}" for error in row.errors)
    return lines


class Command(BaseCommand):
    help = (
        "Import catalog items or sessions from a UTF-8 CSV file, matched by external_id. "
        "Good rows are applied and bad rows reported, unless --atomic (all or nothing) or "
        "--dry-run (report only). Exits with status 1 when any row or the file has errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="What the file holds.")
        parser.add_argument("file", type=Path, help="Path of the CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing."
        )
        parser.add_argument(
            "--atomic", action="store_true", help="Apply nothing if any row has an error."
        )
        parser.add_argument(
            "--create-topics",
            action="store_true",
            help="Create topics the file names that do not exist yet (items only).",
        )

    def handle(self, *args, kind, file, dry_run, atomic, create_topics, **options):
        if create_topics and kind != "items":
            raise CommandError("--create-topics applies to items only.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        options = {"create_topics": create_topics} if kind == "items" else {}
        report = IMPORTERS[kind](data=data, dry_run=dry_run, atomic=atomic, **options)
        if report.file_error:
            raise CommandError(report.summary)
        for line in row_lines(report):
            self.stdout.write(line)
        style = self.style.SUCCESS if not report.has_errors else self.style.WARNING
        self.stdout.write(style(report.summary))
        if report.has_errors:
            errors = report.error_count
            raise CommandError(f"{errors} row{'s' if errors != 1 else ''} had errors.")
