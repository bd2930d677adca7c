"""The embedded default holds two people at once (issue 14, item 10).

Each run is a fresh process on a fresh SQLite file with `learning_portal.settings.local`, as
`make run` has it: learners enroll and withdraw while an admin saves the same session.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_two_people(tmp_path, *args: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PORT"}
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "learning_portal.settings.local",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.core.sqlite_two_people", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_learners_enrolling_while_an_admin_saves_the_session_all_succeed(tmp_path):
    outcome = run_two_people(tmp_path)

    assert outcome["errors"] == {"learner": [], "admin": []}
    assert outcome["journal_mode"] == "wal"
    # Every learner withdrew at the end of each round; the admin's last save is kept.
    assert outcome["active"] == 0
    assert outcome["location"].endswith("Room 29")


def test_without_the_sqlite_options_the_same_work_fails_with_database_is_locked(tmp_path):
    # Proves the test above can fail: Django's defaults are what people hit before.
    outcome = run_two_people(tmp_path, "--plain")

    assert outcome["journal_mode"] == "delete"
    assert any("database is locked" in e for e in outcome["errors"]["learner"])
