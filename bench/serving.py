"""The portal as production runs it, for the benchmarks over HTTP, and the clients that load it.

`Stack` starts gunicorn (the project's gunicorn.conf.py, production settings), a Celery
worker and beat on the benchmark's database and Redis, and stops them again. `people` picks
distinct employees and managers and `sign_in` gives each a real session (the same store and
keys a sign-in writes). `drive` runs client processes (bench.loadgen) side by side and merges
what they measured; `Figures` turns that into requests/s and percentiles.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import loadgen
from bench.harness import percentile

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", 2))
THREADS = int(os.environ.get("BENCH_WEB_THREADS", 4))
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", 2))
PEOPLE = int(os.environ.get("BENCH_PEOPLE", 2400))
# The worker's and beat's niceness (README "Production deployment": Nice=10 beside the web).
CELERY_NICE = int(os.environ.get("BENCH_CELERY_NICE", 10))
HOST = "127.0.0.1"
MINIMAL_PATH = "/healthz"


def port() -> int:
    """BENCH_PORT when set (a shared machine hands out port ranges), else a free one."""
    if os.environ.get("BENCH_PORT"):
        return int(os.environ["BENCH_PORT"])
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Stack:
    """gunicorn + Celery worker + beat, as deployed (README "Production deployment")."""

    def __init__(self, *, workers: int = WORKERS, threads: int = THREADS, celery: bool = True):
        self.port = port()
        self.workers, self.threads, self.celery = workers, threads, celery
        self.processes: dict[str, subprocess.Popen] = {}
        self.folder = tempfile.TemporaryDirectory(prefix="bench-stack-")
        self.log = Path(self.folder.name) / "gunicorn.log"

    def env(self) -> dict[str, str]:
        from django.conf import settings

        return {
            **os.environ,
            "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
            "PORTAL_BASE_URL": f"http://{HOST}:{self.port}",
            # The files the harness collected for this run (hashed names, as in a deployment).
            "STATIC_ROOT": str(settings.STATIC_ROOT),
            # Production's pool size, not the in-process benchmarks' larger one.
            "DB_POOL_MAX_SIZE": os.environ.get("BENCH_WEB_POOL_MAX_SIZE", "10"),
        }

    def __enter__(self) -> Stack:
        env = self.env()
        command = [
            sys.executable, "-m", "gunicorn", "learning_portal.wsgi",
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(self.workers), "--threads", str(self.threads),
            "--worker-class", "gthread", "--log-level", "warning",
            "--error-logfile", str(self.log),
        ]  # fmt: skip
        self.processes["web"] = subprocess.Popen(command, cwd=ROOT, env=env)
        if self.celery:
            # At a lower CPU priority than the web tier, as README "Production deployment"
            # runs them where they share a host: a rush queues 500 confirmation emails, and
            # rendering them at the same priority made every turn at the session's lock wait
            # for a core (77 enrollments/s niced at 0, 91-94/s at 10, on one machine).
            celery = ["nice", "-n", str(CELERY_NICE), sys.executable, "-m", "celery"]
            celery += ["-A", "learning_portal"]
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            self.processes["worker"] = subprocess.Popen(
                [*celery, "worker", "--loglevel=warning", "--concurrency", "1",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=ROOT, env=env, **quiet,
            )  # fmt: skip
            self.processes["beat"] = subprocess.Popen(
                [*celery, "beat", "--loglevel=warning",
                 "--schedule", str(Path(self.folder.name) / "beat-schedule")],
                cwd=ROOT, env=env, **quiet,
            )  # fmt: skip
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        import http.client

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", MINIMAL_PATH)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not start within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        workers = self.web_workers() if self.processes["web"].poll() is None else []
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        # gunicorn's workers finish what they hold (graceful_timeout); none outlives the run.
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.folder.cleanup()

    def describe(self) -> str:
        celery = (
            f"Celery worker (1 process) and beat running at nice {CELERY_NICE}"
            if self.celery
            else "no worker"
        )
        return f"gunicorn {self.workers} workers x {self.threads} threads (gthread), {celery}"

    def web_workers(self) -> list[int]:
        master = self.processes["web"].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return [int(pid) for pid in children]

    def rss_mb(self) -> dict[str, float]:
        """Resident memory per process: each gunicorn worker, the Celery worker and beat."""
        found = {f"web worker {pid}": _rss_mb(pid) for pid in self.web_workers()}
        for name in ("worker", "beat"):
            if name in self.processes:
                found[f"celery {name}"] = _rss_mb(self.processes[name].pid)
        return found

    def cpu_seconds(self) -> float:
        """CPU time used so far by the web workers (user + system): per request, a figure
        that other programs on a shared machine disturb far less than requests/s."""
        ticks = os.sysconf("SC_CLK_TCK")
        used = 0
        for pid in self.web_workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used += int(fields[11]) + int(fields[12])
        return used / ticks

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback") if self.log.exists() else 0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def people(count: int = PEOPLE, *, seed: int = 7):
    """`count` distinct active employees, managers among them as in the organization."""
    import random

    from people.models import User

    ids = list(
        User.objects.filter(is_active=True, employee__isnull=False).values_list("pk", flat=True)
    )
    if len(ids) < count:
        raise SystemExit(f"The bench data set has {len(ids)} employees; {count} are needed.")
    chosen = random.Random(seed).sample(ids, count)
    users = User.objects.select_related("employee").in_bulk(chosen)
    return [users[pk] for pk in chosen]


def sign_in(users) -> list[str]:
    """A signed-in session for each person, as a sign-in writes it: database row and cache.

    Returns the Cookie header values. A CSRF secret is put in each cookie too, so the same
    client can POST forms (the form field carries the same secret).
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    from learning_portal.core.security import SESSION_AUTH_AT, SESSION_SEEN_AT

    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    now = int(time.time())
    expire = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, cached, cookies = [], {}, []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            SESSION_AUTH_AT: now,
            SESSION_SEEN_AT: now,
        }
        store = store_class(key)
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        cached[store.cache_key] = data
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf()}"
        )
    Session.objects.bulk_create(rows, batch_size=1000)
    caches[settings.SESSION_CACHE_ALIAS].set_many(cached, settings.SESSION_COOKIE_AGE)
    return cookies


def csrf() -> str:
    """A CSRF secret as Django's cookie holds it; the form field may carry it unmasked."""
    from django.utils.crypto import get_random_string

    return get_random_string(32, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def cookie_csrf(cookie: str) -> str:
    from django.conf import settings

    return cookie.split(f"{settings.CSRF_COOKIE_NAME}=", 1)[1].split(";", 1)[0]


@dataclass
class Figures:
    """What the clients measured for one case in one round (or several merged)."""

    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    bad_status: dict[str, int] = field(default_factory=dict)
    connection_errors: int = 0
    # The connection errors by kind: TimeoutError (the client gave up), ConnectionResetError...
    connection_error_kinds: dict[str, int] = field(default_factory=dict)
    # The web workers' CPU seconds while this ran (set by `measured`).
    cpu: float = 0.0
    # An open loop's (seconds from its start the request was due, latency ms), all labels.
    timeline: list[tuple[float, float]] = field(default_factory=list)

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu / len(self.latencies) if self.latencies else 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    @property
    def errors(self) -> int:
        return sum(self.bad_status.values()) + self.connection_errors

    def merge(self, other: Figures) -> None:
        self.latencies += other.latencies
        self.elapsed += other.elapsed
        for status, n in other.bad_status.items():
            self.bad_status[status] = self.bad_status.get(status, 0) + n
        self.connection_errors += other.connection_errors
        _add_counts(self.connection_error_kinds, other.connection_error_kinds)
        self.cpu += other.cpu

    def pct(self, value: float) -> float:
        return percentile(self.latencies, value)


def _add_counts(into: dict[str, int], counts: dict[str, int]) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + n


def request(path: str, *, cookie: str = "", label: str = "", **extra) -> dict:
    headers = {"Cookie": cookie} if cookie else {}
    headers.update(extra.pop("headers", {}))
    return {"path": path, "headers": headers, "label": label or path, **extra}


def drive(
    stack: Stack,
    requests: list[dict],
    *,
    mode: str = "closed",
    connections: int = 8,
    duration: float = 3.0,
    once: bool = False,
    rate: float = 0.0,
    processes: int = CLIENT_PROCESSES,
) -> dict[str, Figures]:
    """Run `processes` client processes together; the figures per request label.

    The requests are dealt out round-robin, so each process gets its share of the people;
    the connections (and an open loop's rate) are split between the processes.
    """
    processes = max(1, min(processes, connections, len(requests)))
    start_at = time.time() + 0.5 + 0.1 * processes
    # Each client gives up on an answer after loadgen.TIMEOUT_SECONDS, so a run ends by
    # itself; this bound only catches a client process that hangs (it is then killed).
    per_connection = -(-len(requests) // max(1, connections // processes)) if once else 1
    give_up_at = start_at + duration + per_connection * loadgen.TIMEOUT_SECONDS + 30
    running = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        for n in range(processes):
            job = {
                "host": HOST,
                "port": stack.port,
                "start_at": start_at,
                "mode": mode,
                "connections": connections // processes + (n < connections % processes),
                "duration": duration,
                "once": once,
                "rate": rate / processes,
                "requests": requests[n::processes],
            }
            path = Path(folder) / f"job-{n}.json"
            path.write_text(json.dumps(job))
            running.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.loadgen", str(path)],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                )
            )
        outputs = [_output_of(process, give_up_at) for process in running]
    merged: dict[str, Figures] = {}
    for output in outputs:
        labels = set(output["latencies"]) | set(output["bad_status"])
        labels |= set(output["connection_errors"])
        for label in labels:
            merged.setdefault(label, Figures())
            figures = merged[label]
            figures.latencies += output["latencies"].get(label, [])
            for status, n in output["bad_status"].get(label, {}).items():
                figures.bad_status[status] = figures.bad_status.get(status, 0) + n
            kinds = output["connection_errors"].get(label, [])
            figures.connection_errors += len(kinds)
            for kind in kinds:
                figures.connection_error_kinds[kind] = (
                    figures.connection_error_kinds.get(kind, 0) + 1
                )
    # Processes ran side by side: the case lasted as long as the slowest of them.
    elapsed = max(output["elapsed"] for output in outputs)
    timeline = sorted(tuple(point) for output in outputs for point in output.get("timeline", []))
    for figures in merged.values():
        figures.elapsed = elapsed
        figures.timeline = timeline
    return merged


def _output_of(process: subprocess.Popen, give_up_at: float) -> dict:
    try:
        out, _ = process.communicate(timeout=max(1.0, give_up_at - time.time()))
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise SystemExit("A client process did not finish in time; it was stopped.") from None
    return json.loads(out)


def measured(stack: Stack, requests: list[dict], **options) -> Figures:
    """`drive`, all labels as one case, with the web workers' CPU time it cost."""
    before = stack.cpu_seconds()
    figures = total(drive(stack, requests, **options))
    figures.cpu = stack.cpu_seconds() - before
    return figures


def total(figures: dict[str, Figures]) -> Figures:
    """All labels of one drive as one case."""
    result = Figures()
    for part in figures.values():
        result.latencies += part.latencies
        for status, n in part.bad_status.items():
            result.bad_status[status] = result.bad_status.get(status, 0) + n
        result.connection_errors += part.connection_errors
        _add_counts(result.connection_error_kinds, part.connection_error_kinds)
        result.elapsed = max(result.elapsed, part.elapsed)
        result.timeline = part.timeline
    return result


def windows(timeline: list[tuple[float, float]], seconds: float = 10.0) -> list[str]:
    """An open loop's run in windows of `seconds`: when the requests were due, how many were
    answered, their p50 and p99."""
    rows: dict[int, list[float]] = {}
    for due, latency in timeline:
        rows.setdefault(int(due // seconds), []).append(latency)
    return [
        f"  {n * seconds:>4.0f}-{(n + 1) * seconds:<4.0f}s due: {len(values):5d} answered, "
        f"p50 {percentile(values, 50):7.0f} ms, p99 {percentile(values, 99):7.0f} ms"
        for n, values in sorted(rows.items())
    ]
