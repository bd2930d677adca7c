import random

import pytest
from django.core.management import CommandError, call_command

from circles.demo import seed_circles
from circles.models import Circle, Post, Quote, Wrapup
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


def test_the_command_needs_people_and_runs_once():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_circles_demo")
    EmployeeFactory(user__email="manager@example.com")
    for _ in range(8):
        EmployeeFactory()
    call_command("seed_circles_demo")
    with pytest.raises(CommandError, match="already"):
        call_command("seed_circles_demo")
    call_command("seed_circles_demo", "--if-empty")
    assert Circle.objects.count() == 4
