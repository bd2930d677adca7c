"""Demo learning circles, one in each state, for a newcomer to see a circle's whole life.

The last step of `seed_demo`, on the people and catalog it loaded, through the circles' own
services (joining is a real enrollment). Circles in the past are created as upcoming ones and then
moved back in time, since the services rightly refuse to plan a meeting in the past.
"""

import datetime
import random

from django.db.models import F
from django.utils import timezone

from catalog.models import Item, Offering, Topic
from catalog.services import item_create
from circles import services
from circles.models import Circle, Meeting, Post
from people.models import User

PURPLE_COW_PLAN = [
    "Introduction and chapters 1–2: the problem with boring",
    "Chapters 3–5: the new P, and why safe is risky",
    "Case studies: remarkable services",
    "Otaku and sneezers: who spreads an idea",
    "What we will try on our wards",
]
PURPLE_COW_POSTS = [
    (
        "The line *safe is risky* landed for me. On our ward we do handovers the same way "
        "because it works — but does it?",
        True,
    ),
    ("I liked the sneezers idea: who on your team spreads new habits first?", True),
    ("Chapter 2 felt like marketing talk at first, then the hospital example convinced me.", False),
    ("Could we try one *remarkable* thing a month? Small, visible, for patients.", True),
]
CIRCLES = [
    # (title, subject title, plan, state, weeks ago the first meeting was (negative: ahead))
    ("Purple Cow — winter circle", "Purple Cow", PURPLE_COW_PLAN, "running", 2),
    (
        "The Checklist Manifesto circle",
        "The Checklist Manifesto",
        ["Chapters 1–2", "Chapters 3–4", "Chapters 5–6", "Chapters 7–9"],
        "open",
        -2,
    ),
    (
        "Compassionate leadership study group",
        "Compassionate Leadership",
        ["What compassion is", "Listening", "Teams that care", "Looking after yourself"],
        "draft",
        -4,
    ),
    (
        "Atomic Habits circle",
        "Atomic Habits",
        ["The 1% rule", "Make it obvious", "Make it easy", "Make it satisfying"],
        "archived",
        12,
    ),
]
INSIGHTS = [
    "Safe is risky: doing things the usual way has a cost too\n"
    "Find the sneezers on each ward first\nOne small remarkable change per month",
    "Remarkable is about the patient's experience, not about us\n"
    "Ask patients what they would tell a friend",
    "Habits stick when the next step is obvious\nShare one small win a week",
]


# The catalog topics each circle's book is filed under (its circle inherits them).
SUBJECT_TOPICS = {
    "Purple Cow": ["Quality improvement", "Leadership"],
    "The Checklist Manifesto": ["Patient safety", "Quality improvement"],
    "Compassionate Leadership": ["Leadership", "Wellbeing"],
    "Atomic Habits": ["Resilience", "Wellbeing"],
}


def _subject(title: str) -> Item:
    item = Item.objects.filter(title=title).first()
    return item or item_create(
        title=title,
        summary=f"{title}: the book our learning circles read together.",
        format=Item.Format.BOOK,
        delivery=Item.Delivery.SELF_PACED,
        topics=Topic.objects.filter(name__in=SUBJECT_TOPICS.get(title, [])),
        is_published=True,
    )


def _shift_back(circle: Circle, weeks_ago: int, now: datetime.datetime) -> None:
    """Move the circle's meetings so the first was `weeks_ago` weeks before now."""
    first = circle.meetings.order_by("week").first()
    delta = first.starts_at - (now - datetime.timedelta(weeks=weeks_ago))
    days = datetime.timedelta(days=round(delta.total_seconds() / 86400))
    Meeting.objects.filter(circle=circle).update(
        starts_at=F("starts_at") - days,
        ends_at=F("ends_at") - days,
        scheduled_for=F("scheduled_for") - days,
    )
    Offering.objects.filter(pk=circle.offering_id).update(
        starts_at=F("starts_at") - days, ends_at=F("ends_at") - days
    )
    Circle.objects.filter(pk=circle.pk).update(
        start_date=F("start_date") - days, weekday=(circle.weekday - days.days) % 7
    )


def _discussion(circle: Circle, members: list[User], rng: random.Random, now) -> None:
    services.thread_open_due(now=now)
    for thread in circle.threads.order_by("week"):
        for n, (body, may_quote) in enumerate(rng.sample(PURPLE_COW_POSTS, 3)):
            author = members[(thread.week + n) % len(members)]
            post = services.post_create(
                thread=thread, author=author, body=body, may_quote=may_quote
            )
            at = thread.opened_at + datetime.timedelta(hours=6 + 20 * n)
            Post.objects.filter(pk=post.pk).update(created_at=min(at, now))
        first = thread.posts.first()
        services.post_create(
            thread=thread,
            author=circle.facilitators.first(),
            body="Thank you — let's pick this up on the call.",
            parent=first,
        )


def _wrap_up(circle: Circle, members: list[User], rng: random.Random, now) -> None:
    for meeting in circle.meetings.filter(ends_at__lt=now).order_by("week"):
        quotable = list(
            Post.objects.filter(
                thread__circle=circle, thread__week=meeting.week, may_quote=True
            ).values_list("pk", flat=True)[:1]
        )
        services.wrapup_save(
            meeting=meeting,
            actor=circle.facilitators.first(),
            held=True,
            head_count=rng.randint(len(members) - 2, len(members)),
            rating=rng.randint(4, 5),
            reflection="A lively call; the quieter members spoke up in the second half.",
            summary=(
                f"We discussed **{meeting.circle.plan.get(week=meeting.week).title}** and "
                "what it means for care on our wards."
            ),
            insights=INSIGHTS[(meeting.week - 1) % len(INSIGHTS)],
            publish=True,
            attendance={u.pk: rng.random() > 0.2 for u in members},
            quote_post_ids=quotable,
        )


def seed_circles(*, rng: random.Random, now: datetime.datetime | None = None) -> list[Circle]:
    """A few circles in each state on demo books: Purple Cow running with threads, posts and
    a held meeting's published insights, an open one, a draft and an archived one."""
    now = now or timezone.now()
    people = list(
        User.objects.filter(is_active=True, is_superuser=False, employee__isnull=False).order_by(
            "pk"
        )[:60]
    )
    facilitator = User.objects.filter(email="manager@example.com").first() or people[0]
    employee = User.objects.filter(email="employee@example.com").first()
    created = []
    for n, (title, subject, plan, state, weeks_ago) in enumerate(CIRCLES):
        lead = facilitator if n % 2 == 0 else rng.choice(people)
        start = timezone.localdate(now) + datetime.timedelta(days=14 + 7 * max(0, -weeks_ago))
        circle = services.circle_create(
            proposer=lead,
            subject=_subject(subject),
            title=title,
            reading=f"{subject}, a chapter or two a week",
            plan=plan,
            start_date=start,
            meeting_time=datetime.time(12, 30),
            seat_cap=8,
            video_url="https://teams.microsoft.com/l/meetup-join/demo",
        )
        created.append(circle)
        if state == "draft":
            continue
        circle = services.circle_submit(circle=circle, actor=lead)
        pool = [p for p in people if p.pk != lead.pk]
        members = rng.sample(pool, 6)
        if employee and employee.pk != lead.pk and employee not in members:
            members[0] = employee
        for user in members:
            services.circle_join(user=user, circle=circle, hope="Fresh ideas for my team")
        if weeks_ago > 0:
            _shift_back(circle, weeks_ago, now)
            circle.refresh_from_db()
            Circle.objects.filter(pk=circle.pk).update(state=Circle.State.RUNNING)
            circle.refresh_from_db()
            _discussion(circle, members, rng, now)
            _wrap_up(circle, members, rng, now)
            services.circle_states_advance(now=now)
            if state == "archived":
                circle.refresh_from_db()
                services.circle_archive(circle=circle, actor=lead)
    return created
