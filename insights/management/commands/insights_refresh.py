"""Recompute the insights rollups now, as the hourly beat task does (idempotent)."""

from django.core.management.base import BaseCommand

from insights.services import rollups_refresh


class Command(BaseCommand):
    help = "Recompute the insights rollups of the months not yet final (the hourly beat task)."

    def handle(self, *args, **options):
        months = rollups_refresh()
        if months:
            done = ", ".join(f"{month:%Y-%m}" for month in months)
            self.stdout.write(f"Insights rollups recomputed: {done}.")
        else:
            self.stdout.write("Every month is final already: nothing to recompute.")
