"""Enrollment under load: 50 concurrent clients enroll through the real view on PostgreSQL.

Each client is a thread with its own signed-in Django test client and its own database
connection, POSTing the enrollment confirmation for a series of people into a handful of
sessions with few seats, so most requests contend for the same Offering row lock and many
land on the waitlist. Emails are left out (in production they run on a Celery worker): each
enrollment writes its outbox row as in production, and the publish after commit is counted,
not sent. Reports enrollments/s and latency percentiles, then checks the
outcome exactly: no errors, seats filled to capacity, waitlists gapless and in order, one
active enrollment per person. Exits non-zero if any check fails.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

from bench.harness import percentile

CLIENTS = int(os.environ.get("BENCH_ENROLL_CLIENTS", 50))
PER_CLIENT = int(os.environ.get("BENCH_ENROLL_PER_CLIENT", 10))
SESSIONS = int(os.environ.get("BENCH_ENROLL_SESSIONS", 5))
CAPACITY = int(os.environ.get("BENCH_ENROLL_CAPACITY", 40))
SLUG_PREFIX = "bench-enrollment-"


def _stub_publish(counter: Counter):
    """Stands in for publishing to the broker: counts the outbox rows instead of sending."""

    def publish(message):
        counter.update([message.task.rsplit(".", 1)[-1]])

    return publish


def _clean_up() -> None:
    from catalog.models import Item
    from enrollment.models import Enrollment, TranscriptEvent

    items = Item.objects.filter(slug__startswith=SLUG_PREFIX)
    TranscriptEvent.objects.filter(item__in=items).delete()
    Enrollment.objects.filter(item__in=items).delete()
    for item in items:
        item.offerings.all().delete()
        item.delete()


def _set_up(people_needed: int):
    import datetime as dt

    from django.utils import timezone

    from catalog.models import Item, Offering
    from people.models import User

    now = timezone.now()
    item = Item.objects.create(
        title="Benchmark: enrollment under load",
        slug=f"{SLUG_PREFIX}{int(time.time())}",
        summary="A scheduled item used by the enrollment benchmark.",
        format=Item.Format.LIVE_SESSION,
        delivery=Item.Delivery.SCHEDULED,
        is_published=True,
    )
    sessions = [
        Offering.objects.create(
            item=item,
            title=f"Bench session {n + 1}",
            starts_at=now + dt.timedelta(days=30 + n),
            ends_at=now + dt.timedelta(days=30 + n, hours=2),
            capacity=CAPACITY,
            waitlist_enabled=True,
        )
        for n in range(SESSIONS)
    ]
    users = list(
        User.objects.filter(is_active=True, employee__isnull=False).order_by("pk")[:people_needed]
    )
    if len(users) < people_needed:
        raise SystemExit(f"The bench data set has only {len(users)} active employees.")
    return item, sessions, users


def _check(item, sessions, attempted: Counter) -> list[str]:
    from django.db.models import Count

    from enrollment.models import ACTIVE_STATUSES, Enrollment, TranscriptEvent

    problems = []
    print(f"{'session':<18} {'attempted':>9} {'seats':>6} {'enrolled':>8} {'waitlisted':>10}")
    for offering in sessions:
        rows = Enrollment.objects.filter(offering=offering)
        enrolled = rows.filter(status="enrolled").count()
        waiting = list(rows.filter(status="waitlisted").order_by("waitlisted_at", "pk"))
        tried = attempted[offering.pk]
        print(
            f"{offering.title:<18} {tried:>9} {offering.capacity:>6} {enrolled:>8} "
            f"{len(waiting):>10}"
        )
        if enrolled != min(offering.capacity, tried):
            problems.append(f"{offering.title}: {enrolled} enrolled, expected seats filled")
        if enrolled + len(waiting) != tried:
            problems.append(f"{offering.title}: {enrolled + len(waiting)} places for {tried} tries")
        times = [e.waitlisted_at for e in waiting]
        if any(a >= b for a, b in zip(times, times[1:], strict=False)):
            problems.append(f"{offering.title}: waitlist times are not strictly ordered")
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


def run(ctx) -> None:
    from django.db import connection
    from django.test import Client

    from notifications import services as notifications

    queued: Counter = Counter()
    # The outbox rows are written as in production; only the publish after commit is
    # replaced, so no emails are queued for a worker.
    real_publish, notifications._publish = notifications._publish, _stub_publish(queued)
    _clean_up()
    total = CLIENTS * PER_CLIENT
    item, sessions, users = _set_up(total)

    # Each client works through its own people, spread over the sessions round-robin.
    plans = []
    for c in range(CLIENTS):
        plan = []
        for k in range(PER_CLIENT):
            n = c * PER_CLIENT + k
            plan.append((users[n], sessions[n % SESSIONS]))
        plans.append(plan)
    attempted = Counter(offering.pk for plan in plans for _, offering in plan)
    clients = [
        [_signed_in(Client(HTTP_HOST="localhost"), user) for user, _ in plan] for plan in plans
    ]

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client_loop(index: int) -> None:
        mine, bad = [], []
        start.wait()
        for (user, offering), client in zip(plans[index], clients[index], strict=True):
            url = f"/learning/{item.slug}/enroll/?session={offering.pk}"
            began = time.perf_counter()
            try:
                response = client.post(url, {"source": "catalog"})
                if response.status_code != 302:
                    bad.append(f"{user.email}: HTTP {response.status_code}")
            except Exception as exc:  # noqa: BLE001 - reported and counted as an error
                bad.append(f"{user.email}: {exc!r}")
            mine.append((time.perf_counter() - began) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(CLIENTS)]
    try:
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        print(
            f"\n== Enrollment under load: {CLIENTS} concurrent clients x {PER_CLIENT} "
            f"enrollments, {SESSIONS} sessions of {CAPACITY} seats =="
        )
        print(
            f"enrollments/s {total / elapsed:8.1f}   p50 {percentile(latencies, 50):7.1f} ms   "
            f"p95 {percentile(latencies, 95):7.1f} ms   max {max(latencies):7.1f} ms   "
            f"errors {len(errors)}"
        )
        print(
            "(in-process: the clients share one Python interpreter, so latency includes "
            "waiting for the GIL as well as for the session's row lock)"
        )
        print("emails queued (not sent): " + ", ".join(f"{k} {v}" for k, v in queued.items()))
        problems = errors[:10] + _check(item, sessions, attempted)
        ctx.results["Enrollment under load"] = {"enroll": latencies}
    finally:
        notifications._publish = real_publish
        _clean_up()
    if problems:
        print("FAILED checks:\n  " + "\n  ".join(problems))
        raise SystemExit(1)
    print("checks: zero errors, seats exactly filled, waitlists ordered, one place per person")


def _signed_in(client, user):
    client.force_login(user)
    return client
