"""Catalog page: search, filters and sorting for a logged-in employee, server-side.

Each case is one GET of /catalog/ through Django's test client in this process, so a timing
covers URL routing, middleware, the session, the FilterSet, every SQL query and the template,
but not the network. Target: p95 <= 50 ms with 100k items.
"""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Context
from people.models import User

TARGET_MS = 50
# The person the catalog is rendered for: not a manager, so the audience rules have work to
# do on every query (restricted items must be filtered out).
BENCH_USER = "employee@example.com"

# (label, query string) — what people type and click on a hospital group's catalog.
CASES: list[tuple[str, str]] = [
    ("browse A-Z", ""),
    ("q=leadership", "q=leadership"),
    ("q=infection control + format", "q=infection+control&format=elearning"),
    ("typo q=comunication", "q=comunication"),
    ("typo q=leadrship + course", "q=leadrship&format=course"),
    ("topic=patient-safety", "topic=patient-safety"),
    ("starts within 30 + soonest", "starts=30&sort=soonest"),
    ("popular, page 3", "sort=popular&page=3"),
    ("q=sepsis", "q=sepsis"),
    ('q="difficult conversations" popular', "q=%22difficult+conversations%22&sort=popular"),
    ("topic leadership + advanced, newest", "topic=leadership&level=advanced&sort=newest"),
    ("short videos", "format=video&duration=short"),
    ("books q=resilient", "format=book&q=resilient"),
    ("q=hand hygiene + has sessions", "q=hand+hygiene&starts=any"),
    ("language=pl", "language=pl"),
    ("provider + topic", "provider=Leadership+Academy&topic=coaching"),
    (
        "q=data literacy + medium + introductory",
        "q=data+literacy&duration=medium&level=introductory",
    ),
    ("two topics, popular", "topic=wellbeing&topic=resilience&sort=popular"),
    ("q=safeguarding page 2", "q=safeguarding&page=2"),
    ("live sessions within 7 days", "starts=7&format=live_session&sort=soonest"),
    ("q=budget, relevance", "q=budget&language=en&sort=relevance"),
]


def run(ctx: Context) -> None:
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=BENCH_USER))

    samples: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    for number, (label, query) in enumerate(CASES, start=1):
        print(f"[{number}/{len(CASES)}] {label}", flush=True)
        url = f"/catalog/?{query}" if query else "/catalog/"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}; fix the case or the page.")
        notes[label] = f"{len(queries)} queries"
        samples[label] = ctx.measure(lambda url=url: client.get(url))
    ctx.report(
        f"catalog page, {ctx.items} items, as {BENCH_USER}",
        samples,
        target_ms=TARGET_MS,
        notes=notes,
    )
