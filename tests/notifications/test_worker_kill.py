"""A real Celery worker SIGKILLed twice during a theme announcement's fan-out, on Redis.

The promise (README "Operations"): nobody gets the announcement twice, and nobody is
silently left out: everyone either got it or is listed as "fate unknown" for a resend
(at most one email per worker process killed mid-send).
"""

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from learning_portal.core import circuit
from notifications.models import OutboxMessage, SentEmail
from notifications.selectors import UNKNOWN_AFTER, email_list_fate_unknown
from people.models import Employee, User
from tests.catalog.factories import ItemFactory
from tests.people.factories import DepartmentFactory, RoleFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory
from themes import services as theme_services
from themes import tasks as theme_tasks
from themes.models import Theme

ROOT = Path(__file__).resolve().parent.parent.parent
PEOPLE = 400
BATCH_SIZE = 40
KILLS = 2
# Short enough for a test; the same settings are minutes in production. A batch of 40
# takes about a second, well within the soft time limit even on a busy machine.
VISIBILITY_TIMEOUT = 10
SOFT_TIME_LIMIT = 8
SETTLED = dt.timedelta(seconds=2)

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _broker_url() -> str:
    return settings.REDIS_URL


def _start_worker(mail_dir: Path, log) -> subprocess.Popen:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "learning_portal.settings.test",
        # The test database, which this test commits to.
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
        "REDIS_URL": _broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_TIME_LIMIT),
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "TEST_EMAIL_BACKEND": "tests.notifications.slow_mail.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "learning_portal", "worker",
        "--pool", "prefork", "--concurrency", "2", "--hostname", "kill-test@127.0.0.1",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    # A session of its own, so that SIGKILL reaches the worker and its pool processes.
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _recipients_by_file(mail_dir: Path) -> collections.Counter:
    counts = collections.Counter()
    for path in mail_dir.glob("*.log"):
        # One file per connection; the filebased backend separates messages with a rule.
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                counts[message_from_bytes(chunk)["To"]] += 1
    return counts


def _people(count: int) -> list[Employee]:
    department, role = DepartmentFactory(), RoleFactory()
    users = User.objects.bulk_create(
        User(email=f"kill-test-{n}@example.org", first_name="Test", last_name=f"Person {n}")
        for n in range(count)
    )
    return Employee.objects.bulk_create(
        Employee(user=user, employee_id=f"K{n:05d}", department=department, role=role)
        for n, user in enumerate(users)
    )


def _claims() -> int:
    return SentEmail.objects.filter(key__startswith="theme-release-").count()


@pytest.fixture
def broker(settings):
    """This process publishes to the same Redis database as the worker (not eager)."""
    from learning_portal.celery import app

    client = redis.Redis.from_url(_broker_url())
    client.flushdb()
    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = _broker_url()
    app._pool = None
    app.amqp._producer_pool = None
    circuit.reset_all()
    yield
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = saved
    app._pool = None
    app.amqp._producer_pool = None
    client.flushdb()


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_fan_out_sends_nobody_two_and_loses_nobody(broker, tmp_path, monkeypatch):
    monkeypatch.setattr(theme_services, "BATCH_SIZE", BATCH_SIZE)
    started = time.monotonic()
    timings = {}
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    people = _people(PEOPLE)
    timings["people"] = time.monotonic() - started
    theme = ThemeFactory(state=Theme.State.SCHEDULED, release_at=timezone.now())
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Speaking up for safety"))

    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        worker = _start_worker(mail_dir, log)
        try:
            # Beat's task, in this process: records the release and the batches' outbox
            # rows in one transaction, published to Redis on commit.
            assert theme_tasks.release_due_themes() == 1
            timings["queued"] = time.monotonic() - started
            assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()

            kills = 0
            deadline = time.monotonic() + 180
            while _claims() < PEOPLE and time.monotonic() < deadline:
                # Kill once a share of the fan-out is done, while batches are in flight.
                if kills < KILLS and _claims() >= PEOPLE * (kills + 1) // (KILLS + 2):
                    _kill(worker)
                    kills += 1
                    timings[f"kill {kills}"] = time.monotonic() - started
                    worker = _start_worker(mail_dir, log)
                time.sleep(0.05)
            # A claim a live worker holds is confirmed within milliseconds; one a killed
            # worker held stays unconfirmed. Wait until only those are left.
            settle = time.monotonic() + 15
            while (
                time.monotonic() < settle
                and SentEmail.objects.filter(
                    status=SentEmail.Status.SENDING, claimed_at__gt=timezone.now() - SETTLED
                ).exists()
            ):
                time.sleep(0.2)
            timings["done"] = time.monotonic() - started
        finally:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)

    worker_log = log_path.read_text()
    delivered = _recipients_by_file(mail_dir)
    claims = SentEmail.objects.filter(key__startswith="theme-release-")
    sent = set(claims.filter(status=SentEmail.Status.SENT).values_list("user__email", flat=True))
    unknown = set(
        email_list_fate_unknown(now=timezone.now() + UNKNOWN_AFTER * 2).values_list(
            "user__email", flat=True
        )
    )
    everyone = {employee.user.email for employee in people}
    print(
        f"\nworker kill: {PEOPLE} recipients, {kills} SIGKILLs: {len(sent)} sent, "
        f"{len(unknown)} fate unknown, {sum(delivered.values())} messages in the sink, "
        f"{sum(1 for n in delivered.values() if n > 1)} people with more than one; "
        + ", ".join(f"{name} at {seconds:.1f} s" for name, seconds in timings.items())
    )

    assert kills == KILLS, worker_log[-3000:]
    # No duplicates: every person's mailbox holds at most one announcement.
    assert max(delivered.values()) == 1
    # Nothing silently lost: everyone was sent it or is listed for a resend.
    assert sent | unknown == everyone, worker_log[-3000:]
    assert not sent & unknown
    # At most the email in flight in each killed pool process has an unknown fate.
    assert len(unknown) <= KILLS * 2
    assert len(sent) + len(unknown) == PEOPLE
    # What the sink got is what the claims say was sent (plus, perhaps, unknown ones).
    assert sent <= set(delivered) <= sent | unknown
    assert "Unrecoverable error" not in worker_log
