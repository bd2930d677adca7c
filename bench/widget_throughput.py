"""Widget over HTTP for thousands of different people, first view and warm, vs a minimal view.

Production's shape: gunicorn (gunicorn.conf.py, production settings), the Celery worker and
beat running, client processes apart from the server with keep-alive connections, and a
different signed-in person (managers and employees) on every request. Cases take turns in
interleaved rounds with the minimal view (/healthz: a Django view behind the same middleware
that touches neither the database nor the cache), so a change in the machine's load affects
them alike; each req/s is the median over the rounds and each ratio is to the minimal view.

- first view: each person's first widget of the run (their fragment is not cached), every
  round a fresh share of the pool (BENCH_PEOPLE, default 2,400 people);
- warm: the same people again (each person's fragment cached);
- token: an intranet page view with a freshly minted embed token for a different person
  each time (verified and exchanged for a widget session on every request).

Targets (issue 16): first view >= 0.3x and warm >= 0.7x the minimal view's requests/s.
Then the RSS of every process.
"""

from __future__ import annotations

import os
import statistics
from urllib.parse import urlencode

from bench import serving

SECONDS = float(os.environ.get("BENCH_WIDGET_SECONDS", 4))
ROUNDS = int(os.environ.get("BENCH_WIDGET_ROUNDS", 3))
CONNECTIONS = int(os.environ.get("BENCH_WIDGET_CONNECTIONS", 8))
TARGETS = {"widget: first view": 0.3, "widget: warm": 0.7}
RSS_LIMIT_MB = 250


def _placement(origin: str):
    from widgets.models import Placement

    placement, _ = Placement.objects.update_or_create(
        key="bench-intranet", defaults={"name": "Benchmark intranet", "origin": origin}
    )
    return placement


def _widget(cookie: str) -> dict:
    return serving.request("/widgets/suggested/", cookie=cookie, label="widget")


def run(ctx) -> None:
    from django.core.cache import cache

    from widgets.tokens import MAX_TTL_SECONDS, token_mint

    # The benchmark's own Redis database: nobody's fragment is cached when the run starts.
    cache.clear()
    everyone = serving.people(serving.PEOPLE + 200)
    warmers, pool = everyone[:200], everyone[200:]
    cookies = serving.sign_in(everyone)
    warm_up, cookies = cookies[:100], cookies[200:]
    managers = sum(1 for user in pool if user.employee.is_manager)

    with serving.Stack() as stack:
        placement = _placement(f"http://{serving.HOST}:{stack.port + 1}")
        tokens = [
            serving.request(
                "/widgets/suggested/?"
                + urlencode(
                    {
                        "token": token_mint(
                            placement_key=placement.key,
                            secret=placement.secret,
                            employee_id=user.employee.employee_id,
                            ttl=MAX_TTL_SECONDS,
                        )
                    }
                ),
                headers={"Referer": f"{placement.origin}/"},
                label="token",
            )  # fmt: skip
            for user in pool
        ]
        print(
            f"\n== Widget over HTTP: {stack.describe()}, {CONNECTIONS} keep-alive connections "
            f"from {serving.CLIENT_PROCESSES} client processes, {len(pool)} different people "
            f"({managers} managers), {ROUNDS} interleaved rounds =="
        )
        # Warm-up with people outside the pool: worker imports, the pool of connections and
        # the shared caches (candidate pool, segments), so the first round is not special.
        serving.drive(stack, [_widget(c) for c in warm_up], once=True, connections=CONNECTIONS)
        serving.drive(stack, [serving.request("/healthz")], connections=CONNECTIONS, duration=2)
        del warmers

        share = len(cookies) // ROUNDS
        rates: dict[str, list[float]] = {}
        merged: dict[str, serving.Figures] = {}

        def record(label: str, figures: serving.Figures) -> None:
            rates.setdefault(label, []).append(figures.rate)
            merged.setdefault(label, serving.Figures()).merge(figures)

        minimal = [serving.request(serving.MINIMAL_PATH, label="minimal")]
        timed = {"connections": CONNECTIONS, "duration": SECONDS}
        for number in range(ROUNDS):
            first = [_widget(c) for c in cookies[number * share : (number + 1) * share]]
            record("minimal view (/healthz)", serving.measured(stack, minimal, **timed))
            record(
                "widget: first view",
                serving.measured(stack, first, connections=CONNECTIONS, once=True),
            )
        seen = [_widget(c) for c in cookies[: share * ROUNDS]]
        for _ in range(ROUNDS):
            record("minimal view (/healthz)", serving.measured(stack, minimal, **timed))
            record("widget: warm", serving.measured(stack, seen, **timed))
            record("widget: token, different people", serving.measured(stack, tokens, **timed))
        report(rates, merged, targets=TARGETS)
        report_rss(stack)


def report(rates, merged, *, targets: dict[str, float]) -> None:
    baseline = statistics.median(rates["minimal view (/healthz)"])
    print(
        f"{'case':<34} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'n':>6} {'errors':>6} {'CPU ms/req':>10} {'ratio':>6}  target"
    )
    for label, figures in merged.items():
        rate = statistics.median(rates[label])
        ratio = rate / baseline
        target = targets.get(label)
        verdict = ""
        if target is not None:
            verdict = f">= {target:g}x {'met' if ratio >= target else 'MISSED'}"
        print(
            f"{label:<34} {rate:7.0f} {figures.pct(50):7.1f} {figures.pct(95):7.1f} "
            f"{figures.pct(99):7.1f} {len(figures.latencies):6d} {figures.errors:6d} "
            f"{figures.cpu_ms_per_request:10.2f} {ratio:6.2f}  {verdict}"
        )


def report_rss(stack) -> None:
    sizes = stack.rss_mb()
    print(
        "RSS after the run: "
        + ", ".join(f"{name} {mb:.0f} MB" for name, mb in sizes.items())
        + f" (target < {RSS_LIMIT_MB} MB per process: "
        + ("met" if max(sizes.values()) < RSS_LIMIT_MB else "MISSED")
        + f"); tracebacks in gunicorn's log: {stack.tracebacks()}"
    )
