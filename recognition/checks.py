"""System checks: the badge issuer key is readable, and production does not use the
development key (whose private half is in the repository)."""

import json

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def _development_kid() -> str | None:
    return json.loads(settings.BADGE_DEVELOPMENT_KEY_FILE.read_text()).get("kid")


def check_badge_keys(app_configs=None, **kwargs):
    from . import keys

    errors = []
    if not settings.BADGE_SIGNING_KEY:
        return [
            checks.Error(
                "BADGE_SIGNING_KEY is not set: badge credentials cannot be signed.",
                hint="Run `manage.py badge_key generate` and set the variable it prints.",
                id="recognition.E001",
            )
        ]
    try:
        keys.parse_signing_key(settings.BADGE_SIGNING_KEY)
        keys.parse_retired_keys(settings.BADGE_RETIRED_KEYS)
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="recognition.E002"))
    return errors


def check_not_development_key(app_configs=None, **kwargs):
    from . import keys

    try:
        kid = keys.parse_signing_key(settings.BADGE_SIGNING_KEY).kid
    except ImproperlyConfigured:
        return []
    if kid == _development_kid():
        return [
            checks.Error(
                "BADGE_SIGNING_KEY is the development key, whose private half is public.",
                hint="Generate the organization's own key: `manage.py badge_key generate`.",
                id="recognition.E003",
            )
        ]
    return []


def register() -> None:
    checks.register(check_badge_keys, "recognition")
    checks.register(check_not_development_key, "recognition", deploy=True)
