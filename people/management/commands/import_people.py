from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from people.importing import DEACTIVATION_LIMIT
from people.models import ImportRun
from people.services import people_import


class Command(BaseCommand):
    help = (
        "Import the HR feed (CSV, UTF-8): upsert people by employee ID, then reporting lines. "
        "Required columns: employee_id, email, first_name, last_name. Optional: department, "
        "role, job_title, location, is_manager, manager_employee_id, active. A blank "
        "is_manager means not a manager; a blank active leaves the account as it is; a blank "
        "department, role, job title, location or manager clears it. Exits with status 1 "
        "when any row is rejected (the good rows are still imported) or the file is refused, "
        "so cron jobs and pipelines notice a partly rejected feed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file exported from HR.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and print the report without saving anything.",
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="The file is the full feed: deactivate active employees who are not in it.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "With --deactivate-missing, deactivate even when that is more than "
                f"{round(100 * DEACTIVATION_LIMIT)}% of active employees."
            ),
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            report = people_import(
                file=data,
                filename=path.name,
                dry_run=options["dry_run"],
                deactivate_missing=options["deactivate_missing"],
                force=options["force"],
                source=ImportRun.Source.COMMAND,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        lines = report.lines()
        self.stdout.write(self.style.SUCCESS(lines[0]) if not report.rejected else lines[0])
        for line in lines[1:]:
            self.stdout.write(line)
        if report.rejected:
            rows = report.rejected
            raise CommandError(
                f"{rows} row{'s' if rows != 1 else ''} rejected; see the report above."
            )
