"""A rush into one session over HTTP: hundreds of people click Enroll at the same moment.

Production's shape (see bench.serving): gunicorn (gunicorn.conf.py: its backlog and timeouts
are what a burst meets), the Celery worker and beat running (the worker sends the
confirmations from the outbox), and the clicks from client processes apart from the server,
each person on a connection of their own, all released together. Each round is a new
session with BENCH_ENROLL_CAPACITY seats and a waitlist, and BENCH_ENROLL_RUSH different
signed-in people (default 500) POSTing the enroll form once, after the worker has finished
what creating the session queued (its catalog index rebuild). Reports enrollments/s (the
rush's size over the time until the last answer), latency percentiles and connection
errors, then checks the outcome exactly: every click answered with the redirect, seats
filled to capacity and never beyond, the waitlist gapless and in order, one place per
person, one transcript event per place. Target (issue 15): >= 80 enrollments/s with 0
connection errors and 0 overbooking. Exits 1 if a check fails.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter

from bench import serving
from bench.harness import percentile

RUSH = int(os.environ.get("BENCH_ENROLL_RUSH", 500))
ROUNDS = int(os.environ.get("BENCH_ENROLL_ROUNDS", 3))
CAPACITY = int(os.environ.get("BENCH_ENROLL_CAPACITY", 50))
PROCESSES = int(os.environ.get("BENCH_ENROLL_PROCESSES", 4))
SLUG_PREFIX = "bench-enrollment-"
TARGET_PER_SECOND = 80


def _clean_up() -> None:
    from catalog.models import Item
    from enrollment.models import Enrollment, TranscriptEvent

    items = Item.objects.filter(slug__startswith=SLUG_PREFIX)
    TranscriptEvent.objects.filter(item__in=items).delete()
    Enrollment.objects.filter(item__in=items).delete()
    for item in items:
        item.offerings.all().delete()
        item.delete()


def _session(number: int):
    import datetime as dt

    from django.utils import timezone

    from catalog.models import Item, Offering

    now = timezone.now()
    item = Item.objects.create(
        title=f"Benchmark: a rush into one session ({number})",
        slug=f"{SLUG_PREFIX}{int(time.time())}-{number}",
        summary="A scheduled item used by the enrollment benchmark.",
        format=Item.Format.LIVE_SESSION,
        delivery=Item.Delivery.SCHEDULED,
        is_published=True,
    )
    offering = Offering.objects.create(
        item=item,
        title="Bench session",
        starts_at=now + dt.timedelta(days=30),
        ends_at=now + dt.timedelta(days=30, hours=2),
        capacity=CAPACITY,
        waitlist_enabled=True,
    )
    return item, offering


def _check(item, offering, attempted: int) -> list[str]:
    from django.db.models import Count

    from enrollment.models import ACTIVE_STATUSES, Enrollment, TranscriptEvent

    problems = []
    rows = Enrollment.objects.filter(offering=offering)
    enrolled = rows.filter(status="enrolled").count()
    waiting = list(rows.filter(status="waitlisted").order_by("waitlisted_at", "pk"))
    print(
        f"  {attempted} clicks, {offering.capacity} seats: {enrolled} enrolled, "
        f"{len(waiting)} waitlisted"
    )
    if enrolled > offering.capacity:
        problems.append(f"{offering}: overbooked, {enrolled} enrolled for {offering.capacity}")
    if enrolled != min(offering.capacity, attempted):
        problems.append(f"{offering}: {enrolled} enrolled, expected the seats filled")
    if enrolled + len(waiting) != attempted:
        problems.append(f"{offering}: {enrolled + len(waiting)} places for {attempted} clicks")
    times = [e.waitlisted_at for e in waiting]
    if any(a >= b for a, b in zip(times, times[1:], strict=False)):
        problems.append(f"{offering}: waitlist times are not strictly ordered")
    doubles = (
        Enrollment.objects.filter(item=item, status__in=ACTIVE_STATUSES)
        .values("user")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if doubles:
        problems.append(f"{doubles} people hold more than one active place")
    events = TranscriptEvent.objects.filter(item=item).count()
    places = Enrollment.objects.filter(item=item).count()
    if events != places:
        problems.append(f"{events} transcript events for {places} enrollments")
    return problems


def _load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def _worker_settled(limit: float = 120.0) -> float:
    """Seconds until the Celery worker has nothing queued or in hand (at most `limit`)."""
    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    started = time.monotonic()
    time.sleep(0.5)  # the commit's on-commit publish of the rebuild
    while time.monotonic() - started < limit:
        if not broker.llen("celery") and not broker.hlen("unacked"):
            break
        time.sleep(0.5)
    return time.monotonic() - started


def _drain(offering) -> int:
    """Wait (up to a minute) until clicks whose client gave up are served too; places taken.

    gunicorn still serves a request whose client stopped waiting, so without this the next
    round would share the machine with the last one's leftovers.
    """
    from enrollment.models import Enrollment

    deadline = time.monotonic() + 60
    places = Enrollment.objects.filter(offering=offering).count()
    while places < RUSH and time.monotonic() < deadline:
        time.sleep(2)
        now = Enrollment.objects.filter(offering=offering).count()
        if now == places:
            break
        places = now
    return places


def run(ctx) -> None:
    from learning_portal.celery import app

    _clean_up()
    # Tasks an earlier run left queued (emails for enrollments _clean_up deleted) would keep
    # this run's worker busy with another run's work.
    app.control.purge()
    users = serving.people(RUSH * ROUNDS, seed=11)
    cookies = serving.sign_in(users)
    rates, problems, errors = [], [], Counter()
    merged = serving.Figures()
    try:
        with serving.Stack() as stack:
            print(
                f"\n== A rush into one session: {RUSH} different people click Enroll at once "
                f"({PROCESSES} client processes, a connection each), {ROUNDS} rounds, "
                f"{CAPACITY} seats + waitlist; {stack.describe()} =="
            )
            # Worker imports and the pool of connections, as on a server that has been up.
            serving.drive(stack, [serving.request("/healthz")], connections=8, duration=1)
            for number in range(ROUNDS):
                item, offering = _session(number)
                # People rush a session announced beforehand, when enrollment opens; the new
                # session's catalog index rebuild (100k items, on the worker) is done by then.
                settled = _worker_settled()
                print(f"  session created; the worker's queue settled in {settled:.1f} s")
                url = f"/learning/{item.slug}/enroll/?session={offering.pk}"
                clicks = [
                    serving.request(
                        url,
                        cookie=cookie,
                        label="enroll",
                        method="POST",
                        body=f"source=catalog&csrfmiddlewaretoken={serving.cookie_csrf(cookie)}",
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                        expect=302,
                    )
                    for cookie in cookies[number * RUSH : (number + 1) * RUSH]
                ]
                cpu_before = stack.cpu_seconds()
                figures = serving.total(
                    serving.drive(stack, clicks, connections=RUSH, once=True, processes=PROCESSES)
                )
                rates.append(len(figures.latencies) / figures.elapsed)
                merged.merge(figures)
                errors.update(figures.bad_status)
                errors["connection errors"] += figures.connection_errors
                print(
                    f"round {number + 1}: {rates[-1]:.0f} enrollments/s, "
                    f"p50 {figures.pct(50):.0f} ms, p95 {figures.pct(95):.0f} ms, "
                    f"p99 {figures.pct(99):.0f} ms, {figures.connection_errors} connection "
                    f"errors {figures.connection_error_kinds or ''}, other answers "
                    f"{dict(figures.bad_status) or 'none'}; load average {_load()}"
                )
                # Checked once the server is done (clicks whose client gave up included), so
                # no commit lands between the counts that are compared.
                served = _drain(offering)
                problems += _check(item, offering, RUSH)
                late = max(0, served - len(figures.latencies))
                if late:
                    print(f"  {late} clicks were served after their client had given up")
                # Per click served, whether its client still waited: less disturbed by other
                # programs on a shared machine than enrollments/s.
                cpu = (stack.cpu_seconds() - cpu_before) * 1000 / max(served, 1)
                print(f"  web workers' CPU: {cpu:.1f} ms per click served")
            rate = statistics.median(rates)
            print(
                f"enrollments/s {rate:.0f} (median of {ROUNDS} rounds; target >= "
                f"{TARGET_PER_SECOND}: {'met' if rate >= TARGET_PER_SECOND else 'MISSED'}); "
                f"p50 {percentile(merged.latencies, 50):.0f} ms, p95 "
                f"{percentile(merged.latencies, 95):.0f} ms, p99 "
                f"{percentile(merged.latencies, 99):.0f} ms; connection errors "
                f"{errors['connection errors']}; tracebacks in gunicorn's log "
                f"{stack.tracebacks()}"
            )
    finally:
        _clean_up()
    if errors["connection errors"] or sum(errors.values()):
        problems.append(f"not every click was answered with the redirect: {dict(errors)}")
    if problems:
        print("FAILED checks:\n  " + "\n  ".join(problems))
        raise SystemExit(1)
    print("checks: every click answered, seats exactly filled, waitlist ordered, one place each")
