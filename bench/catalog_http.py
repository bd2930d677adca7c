"""Catalog over HTTP for different people: browse under load, and searches one at a time.

Production's shape (see bench.serving): gunicorn with the Celery worker and beat running,
client processes apart from the server, a different signed-in employee on every request.

- browse under load: `/catalog/` (A-Z, first page) at 8 keep-alive connections, interleaved
  round by round with the minimal view (/healthz); target >= 0.05x its requests/s (aim
  0.1x) with p99 <= 150 ms;
- one at a time: each search of bench.catalog_search's 21 cases, and a second set generated
  from the catalog's own vocabulary with a seed (BENCH_CATALOG_QUERIES, default 60 queries
  the benchmark was not tuned on), over one connection: first search of each term (its
  cached match deleted beforehand; each worker sees the term for the first time) and warm
  (the same searches again); targets p95 <= 50 ms first, <= 30 ms warm.
"""

from __future__ import annotations

import os
import random
import re
from urllib.parse import urlencode

from bench import serving
from bench.catalog_search import CASES
from bench.widget_throughput import report, report_rss

SECONDS = float(os.environ.get("BENCH_CATALOG_SECONDS", 4))
ROUNDS = int(os.environ.get("BENCH_CATALOG_ROUNDS", 3))
CONNECTIONS = int(os.environ.get("BENCH_CATALOG_CONNECTIONS", 8))
RANDOM_QUERIES = int(os.environ.get("BENCH_CATALOG_QUERIES", 60))
SEED = int(os.environ.get("BENCH_SEED", 2024))
BROWSE_TARGET, BROWSE_P99_MS = 0.05, 150
FIRST_P95_MS, WARM_P95_MS = 50, 30
WORD = re.compile(r"[a-z]{4,}")


def vocabulary_queries(count: int, *, seed: int) -> list[str]:
    """Query strings made from words of the catalog's own titles and summaries, with a seed:
    one word, two words, a word with a filter, a prefix (as typed, mid-word)."""
    from catalog.models import Item

    rng = random.Random(seed)
    texts = Item.objects.order_by("?").values_list("title", "summary")[:2000]
    words = sorted(
        {w for title, summary in texts for w in WORD.findall(f"{title} {summary}".lower())}
    )
    formats = ["elearning", "course", "video", "book", "article", "podcast"]
    queries: set[str] = set()
    while len(queries) < count:
        kind = rng.random()
        word = rng.choice(words)
        if kind < 0.5:
            params = {"q": word}
        elif kind < 0.75:
            params = {"q": f"{word} {rng.choice(words)}"}
        elif kind < 0.9:
            params = {"q": word, "format": rng.choice(formats)}
        else:
            params = {"q": word[: max(4, len(word) - 2)], "sort": "popular"}
        queries.add(urlencode(params))
    return sorted(queries, key=lambda _: rng.random())


def _forget_terms(queries: list[str]) -> None:
    from django.http import QueryDict

    from catalog import index as catalog_index
    from catalog.filters import ItemFilterSet
    from catalog.models import Item

    current = catalog_index.catalog_index()
    for query in queries:
        term = ItemFilterSet(QueryDict(query), queryset=Item.objects.none()).term
        if term:
            catalog_index.term_forget(current, term)


def _searches(queries: list[str], cookies: list[str], label: str) -> list[dict]:
    return [
        serving.request(f"/catalog/?{query}" if query else "/catalog/", cookie=cookie, label=label)
        for query, cookie in zip(queries, cookies, strict=False)
    ]


def _verdict(value: float, limit: float) -> str:
    return f"<= {limit:g} ms {'met' if value <= limit else 'MISSED'}"


def run(ctx) -> None:
    users = serving.people()
    cookies = serving.sign_in(users)
    tuned = [query for _, query in CASES]
    generated = vocabulary_queries(RANDOM_QUERIES, seed=SEED)

    with serving.Stack() as stack:
        print(
            f"\n== Catalog over HTTP: {stack.describe()}, {len(users)} different people, "
            f"{ctx.items} items =="
        )
        browse = [serving.request("/catalog/", cookie=c, label="browse") for c in cookies]
        serving.drive(stack, browse[:200], connections=CONNECTIONS, duration=3)  # warm-up
        minimal = [serving.request(serving.MINIMAL_PATH, label="minimal")]
        rates: dict[str, list[float]] = {}
        merged: dict[str, serving.Figures] = {}

        def record(label: str, figures: serving.Figures) -> None:
            rates.setdefault(label, []).append(figures.rate)
            merged.setdefault(label, serving.Figures()).merge(figures)

        for _ in range(ROUNDS):
            record(
                "minimal view (/healthz)",
                serving.measured(stack, minimal, connections=CONNECTIONS, duration=SECONDS),
            )
            record(
                f"/catalog/ browse, {CONNECTIONS} connections",
                serving.measured(stack, browse, connections=CONNECTIONS, duration=SECONDS),
            )
        print(f"-- browse under load: {ROUNDS} interleaved rounds of {SECONDS:g} s")
        label = f"/catalog/ browse, {CONNECTIONS} connections"
        report(rates, merged, targets={label: BROWSE_TARGET})
        p99 = merged[label].pct(99)
        print(f"browse p99 {p99:.0f} ms: {_verdict(p99, BROWSE_P99_MS)}")

        print("-- one at a time (1 connection), a different person per request")
        print(
            f"{'query set':<34} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
            f"{'errors':>6}  target"
        )
        people = iter(range(len(cookies)))
        for name, queries in (("tuned (21 cases)", tuned), (f"generated (seed {SEED})", generated)):
            _forget_terms(queries)
            for phase, limit in (("first search", FIRST_P95_MS), ("warm", WARM_P95_MS)):
                mine = [cookies[next(people) % len(cookies)] for _ in queries]
                figures = serving.total(
                    serving.drive(stack, _searches(queries, mine, name), connections=1, once=True)
                )
                latencies = figures.latencies
                print(
                    f"{name + ', ' + phase:<34} {len(latencies):4d} {figures.pct(50):7.1f} "
                    f"{figures.pct(95):7.1f} {max(latencies, default=0):7.1f} {figures.errors:6d}  "
                    f"p95 {_verdict(figures.pct(95), limit)}"
                )
        minimal_one = serving.total(serving.drive(stack, minimal, connections=1, duration=2))
        print(
            f"{'minimal view, 1 connection':<34} {len(minimal_one.latencies):4d} "
            f"{minimal_one.pct(50):7.1f} {minimal_one.pct(95):7.1f}"
        )
        report_rss(stack)
