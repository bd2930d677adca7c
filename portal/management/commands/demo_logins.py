import os

from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_PASSWORD

# In the order a newcomer should try them.
ROLE_NOTES = {
    "employee@example.com": "employee",
    "manager@example.com": "manager with a team",
    "admin@example.com": "learning admin, staff: /admin/",
}


class Command(BaseCommand):
    help = "Print the local URL and the demo logins (used by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", default=os.environ.get("PORT", "8000"), help="port (default: $PORT or 8000)"
        )
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        if not str(port).isdigit() or not 0 < int(port) < 65536:
            raise CommandError(f"--port must be a number from 1 to 65535, got {port!r}.")
        width = max(len(email) for email in ROLE_NOTES)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Learning Portal: http://{host}:{port}/"))
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD})")
        for email, note in ROLE_NOTES.items():
            self.stdout.write(f"  {email:<{width}}  {note}")
        self.stdout.write("")
