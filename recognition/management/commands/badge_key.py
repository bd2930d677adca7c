"""Make the badge issuer's signing key, or rotate it (README, "Badge issuer key")."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from recognition import keys


class Command(BaseCommand):
    help = (
        "generate: print a new BADGE_SIGNING_KEY. rotate: print a new BADGE_SIGNING_KEY and "
        "the BADGE_RETIRED_KEYS that keeps the current key's public half for verification. "
        "show: print the key ids the issuer publishes."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "show"])

    def handle(self, *args, action, **options):
        if action == "generate":
            key = keys.key_generate()
            self._print_variable("BADGE_SIGNING_KEY", keys.key_to_json(key, private=True))
            self.stderr.write(f"New key {key.kid}. Keep the value secret (a secret store).")
        elif action == "rotate":
            try:
                key, retired_json = keys.rotated(
                    current_json=settings.BADGE_SIGNING_KEY,
                    retired_json=settings.BADGE_RETIRED_KEYS,
                )
            except ImproperlyConfigured as exc:
                raise CommandError(str(exc)) from exc
            self._print_variable("BADGE_SIGNING_KEY", keys.key_to_json(key, private=True))
            self._print_variable("BADGE_RETIRED_KEYS", retired_json)
            self.stderr.write(
                f"New key {key.kid}. Set both variables and restart web and workers; "
                "credentials signed with earlier keys keep verifying."
            )
        else:
            for kid in keys.verification_keys():
                self.stdout.write(kid)

    def _print_variable(self, name: str, value: str) -> None:
        # Single-quoted for a .env file or a shell; JWK JSON never contains a single quote.
        self.stdout.write(f"{name}='{value}'")
