"""`export_catalog [--sessions] [--output FILE]`: the catalog as CSV, in the import's columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.exporting import item_csv_export, offering_csv_export


class Command(BaseCommand):
    help = (
        "Export every catalog item (or, with --sessions, every session) as CSV in the "
        "columns import_catalog reads. Cells that a spreadsheet would run as a formula are "
        "prefixed with an apostrophe."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sessions", action="store_true", help="Export sessions instead of items."
        )
        parser.add_argument(
            "--output", type=Path, help="Write to this file (UTF-8) instead of standard output."
        )

    def handle(self, *args, sessions, output, **options):
        export = offering_csv_export if sessions else item_csv_export
        what = "session" if sessions else "item"
        skipped: list[int] = []
        if output is None:
            export(out=self.stdout, skipped=skipped)
        else:
            try:
                # The BOM makes Excel read the file as UTF-8; the import accepts it.
                with output.open("w", encoding="utf-8-sig", newline="") as out:
                    count = export(out=out, skipped=skipped)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
            plural = "" if count == 1 else "s"
            self.stdout.write(f"Exported {count} {what}{plural} to {output}.")
        if skipped:
            ids = ", ".join(str(pk) for pk in skipped)
            self.stderr.write(
                f"Left out {len(skipped)} {what}(s) whose stored times are outside 2000–2100 "
                f"(ids {ids}): fix them in the admin."
            )
