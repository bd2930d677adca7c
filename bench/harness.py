"""The benchmark runner: PostgreSQL set-up, the shared data set, timing and reporting.

`python -m bench` runs every benchmark module in this package; `python -m bench NAME ...`
runs the named ones; `--list` shows them. The harness creates the PostgreSQL database if
needed, seeds the shared demo data set once, sets Django up with the production settings and
hands each benchmark a `Context` to time (`measure`) and print (`report`) with.
"""

from __future__ import annotations

import argparse
import ast
import atexit
import gc
import importlib
import importlib.util
import os
import pkgutil
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/learning_portal_bench"
# A Redis database of its own: the benchmarks flush nothing, but share no keys either.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
DEFAULT_EMPLOYEES = 20_000
DEFAULT_ITEMS = 100_000
DEFAULT_SEED = 2024
ROOT = Path(__file__).resolve().parent.parent
BADGE_DEVELOPMENT_KEY = "learning_portal/settings/badge_development_key.json"
# Modules of this package that are not benchmarks.
NOT_BENCHMARKS = {"harness", "loadgen", "serving"}
MIN_ROUNDS = 3


@dataclass
class Context:
    """What a benchmark gets: the run's settings and helpers to time and report."""

    rounds: int
    warmup: int
    employees: int
    items: int
    budget_seconds: float = 10.0
    results: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def measure(self, fn: Callable[[], object]) -> list[float]:
        """Call `fn` `warmup` times untimed, then `rounds` times; return milliseconds.

        A case far off its target stops early once it has used `budget_seconds` (after at
        least MIN_ROUNDS samples), so one slow case cannot hold the whole run for minutes;
        the report shows how many samples each case took.
        """
        for _ in range(self.warmup):
            fn()
        samples: list[float] = []
        deadline = time.perf_counter() + self.budget_seconds
        for _ in range(self.rounds):
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
            if len(samples) >= MIN_ROUNDS and time.perf_counter() > deadline:
                break
        return samples

    def report(
        self,
        title: str,
        samples: dict[str, list[float]],
        *,
        target_ms: float,
        notes: dict[str, str] | None = None,
    ) -> None:
        """Print per-case p50/p95 and the overall p50/p95 with their ratio to the target.

        `notes` adds a free-text column per case (e.g. the number of SQL queries).
        """
        self.results[title] = samples
        notes = notes or {}
        width = max([len(label) for label in samples] + [len("case")])
        print(f"\n== {title} (target p95 <= {target_ms:g} ms) ==")
        print(
            f"{'case':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}  {'n':>3}  p50/target"
        )
        for label, values in samples.items():
            p50 = percentile(values, 50)
            print(
                f"{label:<{width}}  {p50:8.1f}  {percentile(values, 95):8.1f}  "
                f"{max(values):8.1f}  {len(values):3d}  {p50 / target_ms:10.2f}  "
                f"{notes.get(label, '')}".rstrip()
            )
        everything = [value for values in samples.values() for value in values]
        p50, p95 = percentile(everything, 50), percentile(everything, 95)
        print(
            f"{'overall':<{width}}  {p50:8.1f}  {p95:8.1f}  {max(everything):8.1f}   "
            f"n={len(everything)}  p50/target={p50 / target_ms:.2f}  "
            f"p95/target={p95 / target_ms:.2f}"
        )


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank-interpolated percentile (the 'inclusive' method), 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def available() -> list[str]:
    """Benchmark module names in this package (imported only after Django is set up)."""
    import bench

    return sorted(
        info.name
        for info in pkgutil.iter_modules(bench.__path__)
        if not info.name.startswith("_") and info.name not in NOT_BENCHMARKS
    )


def summary_of(name: str) -> str:
    """First docstring line of a benchmark, read without importing it (Django is not set up)."""
    spec = importlib.util.find_spec(f"bench.{name}")
    source = Path(spec.origin).read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source)) or ""
    return docstring.strip().splitlines()[0] if docstring.strip() else ""


def ensure_database(url: str, *, recreate: bool = False) -> None:
    """Create the benchmark database when it does not exist yet (or drop it first)."""
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"BENCH_DATABASE_URL must be a PostgreSQL URL, got {parts.scheme!r}.")
    name = unquote(parts.path.lstrip("/"))
    if name in {"", "postgres", "template0", "template1"}:
        raise SystemExit(f"BENCH_DATABASE_URL must name a database of its own, not {name!r}.")
    admin_url = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            if recreate:
                print(f"Dropping database {name} to seed it at another size ...")
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                print(f"Creating database {name} ...")
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"Benchmarks need PostgreSQL at {parts.hostname}:{parts.port or 5432}: {exc}"
        ) from exc


def production_environment(url: str, redis_url: str) -> dict[str, str]:
    """The environment the production settings need, with the benchmarks' values.

    Only the values production requires and a benchmark cannot know are filled in; what the
    caller's environment already sets for the optional ones (the pool size, the log level)
    is kept.
    """
    environment = {
        # Production spreads concurrent requests over many processes, each with a small
        # pool; a benchmark drives up to ~50 client threads inside this one process.
        "DB_POOL_MAX_SIZE": "64",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "EMAIL_HOST": "localhost",  # required, though nothing is sent
        "LOG_LEVEL": "WARNING",
        # Required too: the badge issuer's key. The benchmarks sign nothing anyone keeps, so
        # the development key (whose private half is public) does.
        "BADGE_SIGNING_KEY": (ROOT / BADGE_DEVELOPMENT_KEY).read_text(),
    }
    environment.update((key, os.environ[key]) for key in list(environment) if key in os.environ)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "learning_portal.settings.production",
            "DATABASE_URL": url,
            "REDIS_URL": redis_url,
            "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "PORTAL_BASE_URL": "http://localhost",
            # The in-process client speaks plain HTTP; no TLS-terminating proxy in front.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
        }
    )
    return environment


def setup_django(url: str, redis_url: str) -> None:
    """Django with the production settings, as the portal runs behind gunicorn.

    Production's database pool, Redis cache and sessions, hashed static files and no DEBUG:
    a change to production.py (say, a database option) shows up in the figures.
    """
    os.environ.update(production_environment(url, redis_url))
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    # The hashed file names come from collectstatic's manifest, as in a deployment; built in
    # a scratch folder so the benchmarks never leave files in the checkout.
    settings.STATIC_ROOT = tempfile.mkdtemp(prefix="bench-static-")
    atexit.register(shutil.rmtree, settings.STATIC_ROOT, ignore_errors=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    # The served portal freezes what it loaded at start-up (learning_portal/wsgi.py); the
    # benchmarks that run the portal in this process do the same.
    gc.freeze()


def ensure_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"Benchmarks need Redis at BENCH_REDIS_URL={url}: {exc}") from exc


def ensure_dataset(url: str, *, employees: int, items: int, seed: int) -> None:
    """Migrate, then seed the demo data unless it is already there at this size.

    The benchmark database belongs to the benchmarks: a data set of another size (or a run
    that stopped half-way, which seed_demo's transaction leaves empty) is dropped and seeded
    again from scratch.
    """
    from django.core.management import call_command
    from django.db import connections

    from catalog.models import Item
    from portal.demo import demo_data_exists

    call_command("migrate", verbosity=0, interactive=False)
    # Only generated rows count: a benchmark may add (and remove) rows of its own.
    have_items, have_employees = demo_data_exists()
    if have_items == items and have_employees == employees:
        print(f"Data set already seeded: {have_items} items, {have_employees} employees.")
        return
    if have_items or have_employees or Item.objects.exists():
        connections.close_all()
        ensure_database(url, recreate=True)
        call_command("migrate", verbosity=0, interactive=False)
    print(f"Seeding {items} items and {employees} employees once; later runs reuse them.")
    call_command("seed_demo", employees=employees, items=items, seed=seed)
    with connections["default"].cursor() as cursor:
        # Fresh statistics and no dead rows (seed_demo rewrites every item once), so the
        # planner and the heap look as a kept production database's would.
        cursor.execute("VACUUM (ANALYZE)")


def vacuum_as_autovacuum_would() -> list[str]:
    """VACUUM (ANALYZE) the tables autovacuum would have seen to by now; returns their names.

    This server may run with autovacuum off, and a deployment's would not be: the seed and
    the import's rolled-back apply left 350k dead rows beside the catalog's 100k live ones,
    and a benchmark that adds rows would be planned with stale statistics. So before each
    benchmark, when it is off, do what it would by its default thresholds: a vacuum past
    50 dead rows + 20% of the live ones, an analyze past 50 changed rows + 10%.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum')")
        if cursor.fetchone()[0] == "on":
            return []
        cursor.execute(
            "SELECT quote_ident(relname) FROM pg_stat_user_tables "
            "WHERE n_dead_tup > 50 + 0.2 * n_live_tup "
            "OR n_mod_since_analyze > 50 + 0.1 * n_live_tup ORDER BY relname"
        )
        tables = [name for (name,) in cursor.fetchall()]
        if tables:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
    return tables


def describe_environment() -> None:
    """What the figures depend on, printed above them: server, its JIT, the machine's load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('jit')")
        version, jit = cursor.fetchone()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"PostgreSQL {version} (jit={jit}), Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, load average {load}, core speed {core_speed():.0f} "
        "(Python loop steps per microsecond: compares machines, which differ twofold)"
    )


def core_speed() -> float:
    """Steps per microsecond of a fixed pure-Python loop on one core, the best of three.

    Figures in milliseconds move with the machine (the same code measured /healthz at 0.9 and
    2.2 ms of CPU per request on two machines of the same kind); this says which it was.
    """
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for step in range(2_000_000):
            total += step
        best = min(best, time.process_time() - started)
    return 2_000_000 / best / 1e6


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 15)))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", 2)))
    parser.add_argument(
        "--employees", type=int, default=int(os.environ.get("BENCH_EMPLOYEES", DEFAULT_EMPLOYEES))
    )
    parser.add_argument(
        "--items", type=int, default=int(os.environ.get("BENCH_ITEMS", DEFAULT_ITEMS))
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=float(os.environ.get("BENCH_CASE_BUDGET", 10)),
        help="seconds of timed rounds per case before a slow case stops early (min 3 rounds)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    names = available()
    unknown = [name for name in args.names if name not in names]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}")
    if args.list:
        for name in names:
            print(f"{name:<20} {summary_of(name)}")
        return 0

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    ensure_database(url)
    ensure_redis(redis_url)
    setup_django(url, redis_url)
    ensure_dataset(url, employees=args.employees, items=args.items, seed=args.seed)

    describe_environment()
    ctx = Context(
        rounds=args.rounds,
        warmup=args.warmup,
        employees=args.employees,
        items=args.items,
        budget_seconds=args.budget,
    )
    for name in args.names or names:
        module = importlib.import_module(f"bench.{name}")
        if vacuumed := vacuum_as_autovacuum_would():
            print(f"(autovacuum is off: VACUUM (ANALYZE) {', '.join(vacuumed)})")
        started = time.perf_counter()
        module.run(ctx)
        print(f"({name}: {time.perf_counter() - started:.1f} s)")
    sys.stdout.flush()
    return 0
