"""Outages through gunicorn: Redis down, Redis frozen, the database unreachable (status, time).

A fault script rather than a speed benchmark. It starts a Redis of its own (cache, sessions
and broker; 127.0.0.1:18461) and a gunicorn on the production settings, then, for each state,
times a signed-in person's requests over HTTP: /healthz, /readyz, the home page, the catalog,
the widget, sign-in (POST), enroll and withdraw (POST). States: healthy; Redis killed
(SIGKILL); Redis frozen (SIGSTOP: it accepts connections and never answers); the database
unreachable (a second gunicorn whose DATABASE_URL points at a port that accepts and never
answers). Prints the status codes and the slowest time per request and state, the tracebacks
and "database unavailable" lines in gunicorn's log, and what the outbox held and published
once Redis was back. Exits 1 when a person could not sign in, enroll or withdraw with Redis
failing; times are figures to read next to the healthy state's, never a check.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
REDIS_PORT = 18461
BLACKHOLE_PORT = 18462
GUNICORN_PORT = 18463
GUNICORN_DB_DOWN_PORT = 18464
PASSWORD = "bench-outage-pass-4821"
REPEATS = int(os.environ.get("BENCH_OUTAGE_REPEATS", 3))
HTTP_TIMEOUT = 70


class Blackhole:
    """Accepts TCP connections and never answers (an unreachable database server)."""

    def __init__(self, port: int):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(512)
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


def _start_redis() -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(50):
        ping = subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True)
        if ping.stdout.strip() == b"PONG":
            return process
        time.sleep(0.1)
    raise SystemExit("redis-server did not start")


def _start_gunicorn(port: int, database_url: str, log_path: Path) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable, "-m", "gunicorn", "learning_portal.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
        "--worker-class", "gthread", "--timeout", "120", "--log-level", "warning",
    ]  # fmt: skip
    log = open(log_path, "a")  # noqa: SIM115 - gunicorn writes to it until it stops
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start within 40 s")


class Browser:
    """One person's cookies over plain HTTP/1.1, a new connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", "replace")
            status = response.status
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key] = val
        except OSError as exc:
            status, content = f"{type(exc).__name__}", ""
        return status, (time.perf_counter() - started) * 1000, content

    def csrf(self, path: str) -> str | None:
        status, _, content = self.request("GET", path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        return match.group(1) if match else None


def _person():
    from catalog.models import Item, Offering
    from people.models import Employee

    employee = (
        Employee.objects.select_related("user")
        .filter(user__is_active=True, department__isnull=False)
        .order_by("pk")
        .first()
    )
    user = employee.user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    item = Item.objects.filter(slug="bench-outage-session").first()
    if item is None:
        from django.utils import timezone

        item = Item.objects.create(
            title="Benchmark: outages",
            slug="bench-outage-session",
            summary="A scheduled item the outage script enrolls in and withdraws from.",
            format=Item.Format.LIVE_SESSION,
            delivery=Item.Delivery.SCHEDULED,
            is_published=True,
        )
        Offering.objects.create(
            item=item,
            title="Outage session",
            starts_at=timezone.now() + timezone.timedelta(days=60),
            ends_at=timezone.now() + timezone.timedelta(days=60, hours=2),
            capacity=1000,
        )
    return user, item, item.offerings.first()


def _journey(port: int, user, item, offering) -> dict[str, tuple]:
    """Each request once, in the order a person makes them: {name: (status, ms)}."""
    from enrollment.models import Enrollment

    browser = Browser(port)
    results: dict[str, tuple] = {}

    def record(name, status, ms):
        results[name] = (status, ms)

    record("healthz", *browser.request("GET", "/healthz")[:2])
    record("readyz", *browser.request("GET", "/readyz")[:2])
    token = browser.csrf("/accounts/login/")
    status, ms, _ = browser.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token or "", "login": user.email, "password": PASSWORD},
    )
    record("sign in (POST)", status, ms)
    record("home", *browser.request("GET", "/")[:2])
    record("catalog", *browser.request("GET", "/catalog/?q=safety")[:2])
    record("widget", *browser.request("GET", "/widgets/suggested/?variant=employee")[:2])
    enroll_path = f"/learning/{item.slug}/enroll/?session={offering.pk}"
    token = browser.csrf(enroll_path)
    status, ms, _ = browser.request(
        "POST", enroll_path, {"csrfmiddlewaretoken": token or "", "source": "catalog"}
    )
    record("enroll (POST)", status, ms)
    enrollment = (
        Enrollment.objects.filter(user=user, offering=offering, status="enrolled")
        .order_by("-pk")
        .first()
    )
    if enrollment is None:
        record("withdraw (POST)", "-", 0.0)
    else:
        status, ms, _ = browser.request(
            "POST",
            f"/me/learning/{enrollment.pk}/withdraw/",
            {"csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")},
        )
        record("withdraw (POST)", status, ms)
    return results


def _print_state(title: str, runs: list[dict[str, tuple]]) -> None:
    print(f"\n-- {title} --")
    print(f"{'request':<18} {'statuses':<22} {'max ms':>9}")
    for name in runs[0]:
        statuses = [str(run[name][0]) for run in runs]
        slowest = max(run[name][1] for run in runs)
        print(f"{name:<18} {','.join(statuses):<22} {slowest:9.0f}")


def _log_counts(path: Path) -> tuple[int, int]:
    text = path.read_text(errors="replace") if path.exists() else ""
    return text.count("Traceback"), text.count("database unavailable")


def run(ctx) -> None:
    from django.conf import settings

    print(f"\n== Outages through gunicorn (2 workers x 4 threads, {REPEATS} journeys each) ==")
    user, item, offering = _person()
    workdir = Path(tempfile.mkdtemp(prefix="bench-outages-"))
    database_url = os.environ["DATABASE_URL"]
    redis_server = _start_redis()
    web_log = workdir / "gunicorn.log"
    web = _start_gunicorn(GUNICORN_PORT, database_url, web_log)
    problems: list[str] = []
    last_outbox_pk = _last_outbox_pk()

    def state(title: str, port: int = GUNICORN_PORT, log: Path = web_log, needs_writes=True):
        tracebacks_before, lines_before = _log_counts(log)
        runs = [_journey(port, user, item, offering) for _ in range(REPEATS)]
        _print_state(title, runs)
        tracebacks, lines = _log_counts(log)
        print(
            f"gunicorn log: {tracebacks - tracebacks_before} tracebacks, "
            f"{lines - lines_before} 'database unavailable' lines"
        )
        if needs_writes:
            for run in runs:
                for name in ("sign in (POST)", "enroll (POST)", "withdraw (POST)"):
                    if run[name][0] != 302:
                        problems.append(f"{title}: {name} answered {run[name][0]}")

    try:
        state("healthy")
        redis_server.kill()
        redis_server.wait()
        state("Redis down (killed)")
        pending = _pending_outbox()
        redis_server = _start_redis()
        time.sleep(6)  # the breakers' reset period
        state("Redis back")
        os.kill(redis_server.pid, signal.SIGSTOP)
        state("Redis frozen (SIGSTOP)")
        os.kill(redis_server.pid, signal.SIGCONT)
        time.sleep(6)
        frozen_pending = _pending_outbox()
        published = _sweep()
        print(
            f"\noutbox: {pending} tasks waiting after the Redis-down journeys, {frozen_pending} "
            f"after the frozen ones; the sweeper published {published} once Redis was back; "
            f"broker queue holds {_queue_length()} messages"
        )
        blackhole = Blackhole(BLACKHOLE_PORT)
        db_log = workdir / "gunicorn-db-down.log"
        unreachable = re.sub(r"@[^/]+/", f"@127.0.0.1:{BLACKHOLE_PORT}/", database_url)
        # /healthz needs no database, so this gunicorn starts (and answers it) regardless.
        web_db_down = _start_gunicorn(GUNICORN_DB_DOWN_PORT, unreachable, db_log)
        try:
            state(
                "database unreachable",
                port=GUNICORN_DB_DOWN_PORT,
                log=db_log,
                needs_writes=False,
            )
        finally:
            web_db_down.terminate()
            web_db_down.wait(timeout=30)
            blackhole.close()
    finally:
        web.terminate()
        web.wait(timeout=30)
        redis_server.kill()
        if _has_outbox():
            from notifications.models import OutboxMessage

            OutboxMessage.objects.filter(pk__gt=last_outbox_pk).delete()
    print(f"(logs in {workdir}; settings: {settings.SETTINGS_MODULE})")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        raise SystemExit(1)
    print("checks: sign-in, enroll and withdraw worked in every Redis state")


def _has_outbox() -> bool:
    try:
        from notifications.models import OutboxMessage  # noqa: F401
    except ImportError:
        return False
    return True


def _last_outbox_pk() -> int:
    if not _has_outbox():
        return 0
    from notifications.models import OutboxMessage

    last = OutboxMessage.objects.order_by("-pk").first()
    return last.pk if last else 0


def _pending_outbox() -> int:
    if not _has_outbox():
        return 0
    from notifications.models import OutboxMessage

    return OutboxMessage.objects.filter(dispatched_at__isnull=True).count()


def _sweep() -> int:
    """The beat sweeper's work, in this process, publishing to the script's Redis."""
    if not _has_outbox():
        return 0
    from learning_portal.celery import app
    from learning_portal.core import circuit
    from notifications import services

    app.conf.broker_url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    app._pool = None
    app.amqp._producer_pool = None
    circuit.reset_all()
    published = 0
    while batch := services.outbox_dispatch():
        published += batch
    return published


def _queue_length() -> int:
    import redis

    return redis.Redis(port=REDIS_PORT).llen("celery")
