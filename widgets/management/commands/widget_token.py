from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from people.models import Employee
from widgets.models import Placement
from widgets.tokens import DEFAULT_TTL_SECONDS, MAX_TTL_SECONDS, token_mint


class Command(BaseCommand):
    help = "Mint a short-lived embed token for one employee (for testing an intranet placement)."

    def add_arguments(self, parser):
        parser.add_argument("person", help="Employee ID or email address")
        parser.add_argument("--ttl", type=int, default=DEFAULT_TTL_SECONDS, help="Seconds")
        parser.add_argument("--placement", help="Placement key (default: the only active one)")

    def handle(self, *args, person, ttl, placement, **options):
        if not 0 < ttl <= MAX_TTL_SECONDS:
            raise CommandError(f"--ttl must be between 1 and {MAX_TTL_SECONDS} seconds.")
        employee = (
            Employee.objects.select_related("user")
            .filter(Q(employee_id=person) | Q(user__email__iexact=person))
            .first()
        )
        if employee is None:
            raise CommandError(f"No employee with ID or email {person!r}.")
        placements = Placement.objects.filter(is_active=True)
        if placement:
            placements = placements.filter(key=placement)
        found = list(placements[:2])
        if not found:
            raise CommandError(
                "No active placement"
                + (f" with key {placement!r}." if placement else ": add one in the admin.")
            )
        if len(found) > 1:
            raise CommandError("Several placements are active: choose one with --placement KEY.")
        token = token_mint(
            placement_key=found[0].key,
            secret=found[0].secret,
            employee_id=employee.employee_id,
            ttl=ttl,
        )
        self.stdout.write(token)
