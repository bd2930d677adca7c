from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Item
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_data_seed


class Command(BaseCommand):
    help = (
        "Load deterministic demo data for a hospital group (people, reporting lines, catalog, "
        "sessions, themes, learning circles) and the demo logins. Same seed, same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=300, help="generated employees")
        parser.add_argument("--items", type=int, default=400, help="generated learning items")
        parser.add_argument("--seed", type=int, default=1, help="random seed")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the catalog already has items (used by `make run`)",
        )

    def handle(self, *args, employees, items, seed, if_empty, **options):
        if if_empty:
            existing = Item.objects.count()
            if existing:
                self.stdout.write(
                    f"The catalog already has {existing} items: demo data not loaded."
                )
                return
        self.stdout.write(f"Seeding {employees} employees and {items} items (seed {seed}) ...")
        try:
            result = demo_data_seed(
                employees=employees, items=items, seed=seed, log=self.stdout.write
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {result.seconds:.1f}s: {result.employees} employees "
                f"({result.managers} managers), {result.items} items "
                f"({result.restricted_items} restricted), {result.offerings} sessions, "
                f"{result.themes} monthly themes, {result.enrollments} enrollments, "
                f"{result.team_suggestions} team suggestions, {result.circles} learning circles."
            )
        )
        ordered = sorted(DEMO_ACCOUNTS, key=lambda account: (account.is_admin, account.is_manager))
        logins = ", ".join(account.email for account in ordered)
        self.stdout.write(f"Demo logins: {logins} (password {DEMO_PASSWORD}).")
