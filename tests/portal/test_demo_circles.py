"""The demo's learning circles: one in each state, loaded by seed_demo."""

import random
from io import StringIO

import pytest
from django.core.management import call_command

from circles.models import Circle, Post, Quote, Wrapup
from portal.demo.circles import seed_circles
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_demo_circles_show_a_circles_whole_life():
    EmployeeFactory(user__email="manager@example.com", is_manager=True)
    EmployeeFactory(user__email="employee@example.com")
    for _ in range(12):
        EmployeeFactory()
    seed_circles(rng=random.Random(3))

    states = dict(Circle.objects.values_list("title", "state"))
    assert states == {
        "Purple Cow — winter circle": "running",
        "The Checklist Manifesto circle": "open",
        "Compassionate leadership study group": "draft",
        "Atomic Habits circle": "archived",
    }
    cow = Circle.objects.get(title__startswith="Purple Cow")
    assert cow.threads.count() >= 2
    assert Post.objects.filter(thread__circle=cow).exists()
    assert Wrapup.objects.filter(meeting__circle=cow, published_at__isnull=False).exists()
    assert Quote.objects.filter(circle=cow).exists()
    assert cow.offering.enrollments.filter(user__email="employee@example.com").exists()


def test_seed_demo_loads_the_circles_with_everything_else():
    # One command for `make run`: seed_demo ends with the circles, on its own people and books.
    call_command("seed_demo", employees=60, items=40, seed=2, stdout=StringIO())
    assert Circle.objects.count() == 4
    cow = Circle.objects.get(title__startswith="Purple Cow")
    assert cow.facilitators.filter(email="manager@example.com").exists()
    assert Wrapup.objects.filter(meeting__circle=cow, published_at__isnull=False).exists()
