"""Widget throughput under gunicorn: the widget (manager, employee, token) vs a minimal view.

Starts one gunicorn (production settings, PostgreSQL pool, Redis cache and sessions) on a free
local port, then drives each case with the same number of keep-alive client connections for
the same time. The minimal view is /healthz: a Django view behind the same middleware that
touches neither the database nor the cache. Target: the widget at >= 0.5x its throughput.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.harness import percentile

ROOT = Path(__file__).resolve().parent.parent
DURATION_SECONDS = float(os.environ.get("BENCH_WIDGET_SECONDS", 3))
ROUNDS = int(os.environ.get("BENCH_WIDGET_ROUNDS", 3))
CONNECTIONS = int(os.environ.get("BENCH_WIDGET_CONNECTIONS", 8))
WORKERS = int(os.environ.get("BENCH_WIDGET_WORKERS", 2))
THREADS = int(os.environ.get("BENCH_WIDGET_THREADS", 4))
TARGET_RATIO = 0.5


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session_cookie(user) -> str:
    """A real signed-in session, stored where gunicorn's workers will find it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _people():
    from people.models import Employee

    base = Employee.objects.select_related("user").filter(user__is_active=True)
    manager = base.filter(is_manager=True, direct_reports__isnull=False).distinct().first()
    employee = base.filter(is_manager=False, department__isnull=False).first()
    if manager is None or employee is None:
        raise SystemExit("The bench data set has no manager with reports or no employee.")
    return manager, employee


def _placement(port: int):
    from widgets.models import Placement

    placement, _ = Placement.objects.update_or_create(
        key="bench-intranet",
        defaults={"name": "Benchmark intranet", "origin": f"http://127.0.0.1:{port + 1}"},
    )
    return placement


def _start_gunicorn(port: int) -> subprocess.Popen:
    from django.conf import settings

    # The harness already set up production's environment (secret, database, Redis); the
    # workers share it, so sessions minted here are valid there.
    env = {
        **os.environ,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        # The files the harness collected for this run (hashed names, as in a deployment).
        "STATIC_ROOT": str(settings.STATIC_ROOT),
    }
    command = [
        sys.executable, "-m", "gunicorn", "learning_portal.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS), "--threads", str(THREADS), "--worker-class", "gthread",
        "--log-level", "warning", "--keep-alive", "30",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def _drive(
    port: int, path: str, headers: dict[str, str], *, seconds: float
) -> tuple[float, list[float], int]:
    """CONNECTIONS keep-alive clients for `seconds`: (req/s, latencies ms, errors)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            if ok:
                mine.append(elapsed)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - began), latencies, errors[0]


def run(ctx) -> None:
    from django.core.cache import cache

    from widgets.identity import WIDGET_SESSION_COOKIE
    from widgets.tokens import MAX_TTL_SECONDS, token_mint, widget_session_mint

    cache.clear()

    port = _free_port()
    manager, employee = _people()
    placement = _placement(port)
    # The longest a token may live; every request exchanges it, as each intranet page view
    # brings a freshly minted one. Its Referer is the placement's page, as a browser's is.
    token = token_mint(
        placement_key=placement.key, secret=placement.secret,
        employee_id=employee.employee_id, ttl=MAX_TTL_SECONDS,
    )  # fmt: skip
    widget_session = widget_session_mint(
        placement_key=placement.key, secret=placement.secret, employee_id=employee.employee_id
    )
    cases = {
        "minimal view (/healthz)": ("/healthz", {}),
        "widget: employee (session)": (
            "/widgets/suggested/?variant=employee",
            {"Cookie": _session_cookie(employee.user)},
        ),
        "widget: manager (session)": (
            "/widgets/suggested/?variant=manager",
            {"Cookie": _session_cookie(manager.user)},
        ),
        "widget: employee (token)": (
            "/widgets/suggested/?" + urlencode({"token": token}),
            {"Referer": f"{placement.origin}/"},
        ),
        "widget: employee (widget session)": (
            "/widgets/suggested/?variant=employee",
            {"Cookie": f"{WIDGET_SESSION_COOKIE}={widget_session}"},
        ),
    }
    process = _start_gunicorn(port)
    try:
        print(
            f"\n== Widget throughput: gunicorn {WORKERS} workers x {THREADS} threads, "
            f"{CONNECTIONS} connections, {ROUNDS} interleaved rounds of "
            f"{DURATION_SECONDS:g} s per case =="
        )
        for path, headers in cases.values():
            _drive(port, path, headers, seconds=2)  # warm-up: caches, pool, worker imports
        # Cases take turns, round after round, so a change in the machine's background load
        # affects them alike; each figure is the median over the rounds.
        rates: dict[str, list[float]] = {label: [] for label in cases}
        latencies: dict[str, list[float]] = {label: [] for label in cases}
        errors: dict[str, int] = dict.fromkeys(cases, 0)
        for _ in range(ROUNDS):
            for label, (path, headers) in cases.items():
                rate, samples, failed = _drive(port, path, headers, seconds=DURATION_SECONDS)
                rates[label].append(rate)
                latencies[label].extend(samples)
                errors[label] += failed
        print(f"{'case':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>6}")
        baseline = statistics.median(rates["minimal view (/healthz)"])
        for label in cases:
            rate = statistics.median(rates[label])
            print(
                f"{label:<34} {rate:8.0f} {percentile(latencies[label], 50):8.1f} "
                f"{percentile(latencies[label], 99):8.1f} {errors[label]:7d} "
                f"{rate / baseline:6.2f}"
            )
        print(f"target: every widget case >= {TARGET_RATIO:.1f}x the minimal view's req/s")
    finally:
        process.terminate()
        process.wait(timeout=10)
