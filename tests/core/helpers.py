"""The production settings' environment, and running the project under it in a subprocess
(tests of `check --deploy` and of what production refuses)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from recognition.keys import key_generate, key_to_json

PROJECT_DIR = Path(settings.BASE_DIR)


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "learning_portal.settings.production",
    # A realistic secret: long and random-looking, as `check --deploy` demands.
    "DJANGO_SECRET_KEY": "q8Vb2mZ7xN4pL1sT9wR6yK3hJ5gF0dC8aE2uI7oP4lM9nB6vX1zQ3wS5rT8yU0iO",
    "DJANGO_ALLOWED_HOSTS": "learning.hospital.example",
    "PORTAL_BASE_URL": "https://learning.hospital.example",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_HOST": "smtp.hospital.example",
    # The organization's own badge issuer key (never the committed development key).
    "BADGE_SIGNING_KEY": key_to_json(key_generate(), private=True),
    "SSO_OIDC_PROVIDERS": json.dumps(
        [
            {
                "id": "entra",
                "name": "Microsoft Entra ID",
                "server_url": "https://login.microsoftonline.com/tenant/v2.0",
                "client_id": "client",
                "secret": "secret",
            }
        ]
    ),
}


def _run(args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_with_production_settings(*args: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SSO_", "PORTAL_", "BADGE_"))
    }
    env.update(PRODUCTION_ENV)
    return _run(args, env)


def run_with_production_settings_but(missing: str, *args: str) -> subprocess.CompletedProcess:
    """The production environment without the variable `missing`, and of this process's
    environment only PATH (so nothing here stands in for it)."""
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    return _run(args, {"PATH": os.environ.get("PATH", ""), **env})
