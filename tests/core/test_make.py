"""The two commands: what `make run` does, checked without running it (`make -n`)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run(*args: str) -> list[str]:
    # Run as a top-level make even when the suite itself runs under `make test`: a parent's
    # MAKEFLAGS would pass its variables down and add "Entering directory" lines.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "pyproject.toml", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_make_run_installs_migrates_seeds_once_prints_logins_and_serves_on_port():
    lines = dry_run("run", "PORT=8123")
    steps = [line for line in lines if line.startswith(".venv/bin/python")]

    assert any("pip install" in step and "-e '.[dev]'" in step for step in steps)
    assert steps[-4:] == [
        ".venv/bin/python manage.py migrate --noinput",
        ".venv/bin/python manage.py seed_demo --if-empty",
        ".venv/bin/python manage.py demo_logins --port 8123",
        ".venv/bin/python manage.py runserver 127.0.0.1:8123",
    ]


def test_make_test_and_bench_pass_their_arguments_through():
    assert dry_run("test", "PYTEST_ARGS=-k seed")[-1] == ".venv/bin/python -m pytest -k seed"
    assert dry_run("bench", "BENCH=catalog_search")[-1] == (
        ".venv/bin/python -m bench catalog_search"
    )


def test_make_run_passes_its_port_to_every_command_it_runs(tmp_path):
    # A stand-in virtualenv whose python records the PORT it was started with.
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls.log"
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$PORT $*" >> {log}\n')
    python.chmod(0o755)
    (venv / ".installed-stamp").touch()
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    env.pop("PORT", None)

    subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", f"{venv}/.installed-stamp", "run"]
        + [f"VENV={venv}", "PORT=8101"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=True,
    )

    calls = log.read_text().splitlines()
    assert [call.split()[2] for call in calls] == [
        "migrate",
        "seed_demo",
        "demo_logins",
        "runserver",
    ]
    assert all(call.startswith("8101 ") for call in calls)


def test_the_port_of_make_run_is_the_port_of_every_absolute_link():
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_BASE_URL"}
    env |= {"PORT": "8101", "DJANGO_SETTINGS_MODULE": "learning_portal.settings.local"}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PORTAL_BASE_URL)"
    )

    def base_url(**extra):
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env | extra,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    assert base_url() == "http://127.0.0.1:8101"
    assert base_url(PORTAL_BASE_URL="https://learning.example.org/") == (
        "https://learning.example.org"
    )
