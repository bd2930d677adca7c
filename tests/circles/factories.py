"""Circles are made through the service, as the portal makes them (catalog entry, session,
plan and meetings together)."""

import datetime as dt

from django.utils import timezone

from circles import services
from circles.models import Circle
from tests.catalog.factories import ItemFactory
from tests.people.factories import EmployeeFactory

PLAN = ["Chapters 1–2: the problem with boring", "Chapters 3–4: remarkable", "Chapter 5: otaku"]


def next_weekday(weekday: int, *, after_days: int = 7) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after_days)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def make_circle(*, state: str = Circle.State.DRAFT, proposer=None, subject=None, **overrides):
    """A circle on a book, proposed by an employee; `state="open"` opens it for sign-up."""
    proposer = proposer or EmployeeFactory().user
    subject = subject or ItemFactory(format="book")
    options = {
        "title": f"{subject.title} circle",
        "reading": f"{subject.title}, a chapter or two a week",
        "plan": PLAN,
        "start_date": next_weekday(1),
        "meeting_time": dt.time(12, 30),
        "timezone_name": "Europe/London",
        "seat_cap": 6,
        "video_url": "https://teams.microsoft.com/l/meetup-join/abc",
        **overrides,
    }
    circle = services.circle_create(proposer=proposer, subject=subject, **options)
    if state != Circle.State.DRAFT:
        circle = services.circle_submit(circle=circle, actor=proposer)
    if state in (Circle.State.RUNNING, Circle.State.FINISHED, Circle.State.ARCHIVED):
        Circle.objects.filter(pk=circle.pk).update(state=state)
        circle.refresh_from_db()
    return circle
