"""Discussion takeaways for a 2,000-message circle: redaction, YAKE, NMF and MMR on the CPU.

A circle of 14 people among the seeded employees writes 2,000 posts (names, emails, phone
numbers and employee IDs sprinkled in, as real posts have them). The case times what the
worker's task does for the circle (`takeaways_propose_for_circle`): read the posts, build the
redactor from every employee's name and ID, redact, analyse and write a draft per week.
Two shapes: the posts over 6 weekly threads (a busy circle), and all 2,000 in one week (the
worst case for one analysis). Each round starts without drafts. Target: 30 s on 2 cores.
Everything the case creates is deleted afterwards.

Figures depend on the machine's load: the load average is printed above them.
"""

import datetime as dt
import os
import random
import time

from django.db import transaction
from django.utils import timezone

from bench.harness import Context
from catalog.models import Item
from circles.models import Circle, Post, Thread
from circles.services import circle_create
from insights.models import WeeklyTakeaway
from insights.takeaways.services import takeaways_propose_for_circle
from people.models import Employee

MESSAGES = int(os.environ.get("BENCH_TAKEAWAY_MESSAGES", 2000))
TARGET_MS = 30_000
MEMBERS = 14

OPENERS = [
    "This week's chapter made me think about",
    "On our ward the hard part is",
    "I keep coming back to",
    "What struck me most was",
    "Honestly I disagree a bit about",
    "We tried something like this with",
    "The idea that really landed for me is",
    "In clinic last week we talked about",
]
SUBJECTS = [
    "patient experience at discharge",
    "being remarkable instead of safe",
    "the purple cow on a busy ward",
    "otaku families who notice everything",
    "handovers between night and day shifts",
    "small touches that people talk about",
    "feedback that actually lands",
    "marketing our service to GPs",
    "waiting times in outpatients",
    "staff wellbeing after long shifts",
    "conflict on the ward and how to calm it",
    "the boring but safe option",
]
CLOSERS = [
    "It would change how families remember us.",
    "I am not sure we have the time, but it is worth a try.",
    "Does anyone have an example from their team?",
    "That is the part I want to try next week.",
    "Safe is risky, as the book says.",
    "We should bring it to the next meeting.",
]
WISHES = [
    "I'd love a session on conflict resolution for night shifts.",
    "Could we have a workshop about patient experience design?",
    "I wish there was a course on giving feedback that lands.",
    "It would be great to have training in difficult conversations.",
]


def _body(rng: random.Random, people: list[Employee]) -> str:
    parts = [f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)}.", rng.choice(CLOSERS)]
    roll = rng.random()
    person = rng.choice(people)
    if roll < 0.15:
        parts.insert(0, f"Thanks {person.user.first_name}!")
    elif roll < 0.2:
        parts.append(f"Mail me at {person.user.email} or call 07700 9{rng.randint(10000, 99999)}.")
    elif roll < 0.22:
        parts.append(f"My employee ID is {person.employee_id} if HR asks.")
    elif roll < 0.3:
        parts.append(rng.choice(WISHES))
    if rng.random() < 0.4:
        parts.append(f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)}, {rng.choice(CLOSERS).lower()}")
    return " ".join(parts)


def _circle(people: list[Employee], *, weeks: int) -> Circle:
    subject = Item.objects.filter(format=Item.Format.BOOK).order_by("pk").first()
    start = timezone.localdate() + dt.timedelta(days=7)
    start += dt.timedelta(days=(1 - start.weekday()) % 7)
    circle = circle_create(
        proposer=people[0].user,
        subject=subject,
        title=f"Bench takeaways circle {time.time_ns()}",
        reading="A book, a chapter a week",
        plan=[f"Week {n}" for n in range(1, weeks + 1)],
        start_date=start,
        meeting_time=dt.time(12, 30),
        timezone_name="Europe/London",
        seat_cap=20,
        video_url="",
    )
    Circle.objects.filter(pk=circle.pk).update(
        state=Circle.State.RUNNING, takeaways_enabled_at=timezone.now() - dt.timedelta(days=90)
    )
    circle.refresh_from_db()
    return circle


def _discussion(circle: Circle, people: list[Employee], *, weeks: int) -> None:
    rng = random.Random(12)
    now = timezone.now()
    threads = [
        Thread.objects.create(
            circle=circle, week=week, title=f"Week {week}", prompt="What stood out?", opened_at=now
        )
        for week in range(1, weeks + 1)
    ]
    Post.objects.bulk_create(
        Post(
            thread=threads[n % weeks],
            author=rng.choice(people).user,
            body=_body(rng, people),
            created_at=now - dt.timedelta(minutes=MESSAGES - n),
        )
        for n in range(MESSAGES)
    )


def _remove(circle: Circle) -> None:
    with transaction.atomic():
        WeeklyTakeaway.objects.filter(circle=circle).delete()
        Post.objects.filter(thread__circle=circle).delete()
        Thread.objects.filter(circle=circle).delete()
        item, offering = circle.item, circle.offering
        circle.plan.all().delete()
        circle.meetings.all().delete()
        circle.delete()
        offering.delete()
        item.delete()


def run(ctx: Context) -> None:
    people = list(Employee.objects.select_related("user").order_by("?")[:MEMBERS])
    samples, notes = {}, {}
    for weeks in (6, 1):
        label = f"{MESSAGES} posts over {weeks} week{'s' if weeks > 1 else ''}"
        circle = _circle(people, weeks=weeks)
        try:
            _discussion(circle, people, weeks=weeks)
            times = []
            for _ in range(3):
                WeeklyTakeaway.objects.filter(circle=circle).delete()
                started = time.perf_counter()
                drafts = takeaways_propose_for_circle(circle=circle)
                times.append((time.perf_counter() - started) * 1000)
            samples[label] = times
            first = WeeklyTakeaway.objects.filter(circle=circle).order_by("week").first()
            notes[label] = (
                f"{drafts} drafts; week 1: {len(first.themes)} themes, "
                f"phrases {first.key_phrases[:3]}, wishes {first.demand_phrases[:2]}"
            )
        finally:
            _remove(circle)
    ctx.report(
        "discussion takeaways, one circle (the worker's task)",
        samples,
        target_ms=TARGET_MS,
        notes=notes,
    )
