"""A differencing attacker holds every view the dashboard offers and subtracts any two.

On a population built to tempt them (small departments, a location that is a department
plus one person, a role holding all but a few), no two shown groups differ by 1–4 people,
and no breakdown's hidden groups can be recovered from the total.
"""

import random
from itertools import combinations

import pytest

from insights.models import Dimension, GroupRollup
from people.models import Employee
from tests.insights.factories import at, enroll, people, refresh

pytestmark = pytest.mark.django_db
MIN = 5


def members_of(dimension, value, *, managers_only=False):
    employees = Employee.objects.filter(user__is_active=True)
    if managers_only:
        employees = employees.filter(is_manager=True)
    if dimension == Dimension.DEPARTMENT:
        employees = (
            employees.filter(department__slug=value)
            if value
            else employees.filter(department__isnull=True)
        )
    elif dimension == Dimension.ROLE:
        employees = (
            employees.filter(role__slug=value) if value else employees.filter(role__isnull=True)
        )
    elif dimension == Dimension.LOCATION:
        employees = employees.filter(location=value)
    elif dimension == Dimension.MANAGER:
        employees = employees.filter(is_manager=value == "managers")
    return set(employees.values_list("user_id", flat=True))


@pytest.fixture
def tempting_population():
    rng = random.Random(7)
    groups = [
        ("Nursing", "Registered Nurse", "General Hospital", 40),
        ("Estates", "Engineer", "Riverside", 12),
        ("Pharmacy", "Pharmacist", "Riverside", 4),
        ("Radiology", "Radiographer", "North Clinic", 9),
        ("Finance", "Analyst", "General Hospital", 6),
        ("Research", "Analyst", "Lab Annex", 2),
    ]
    everyone = []
    for department, role, location, n in groups:
        for _ in range(n):
            everyone += people(
                1,
                department=department,
                role=role,
                location=location,
                is_manager=rng.random() < 0.3,
            )
    # North Clinic is Radiology plus one nurse: a classic differencing pair.
    nurse = everyone[0]
    nurse.location = "North Clinic"
    nurse.save()
    for person in everyone:
        if rng.random() < 0.45:
            enroll(person, at(2026, rng.randint(1, 5), rng.randint(1, 28)))
    refresh(at(2026, 6, 10))


def test_no_two_shown_groups_differ_by_fewer_than_min_people(tempting_population):
    shown = []
    for row in GroupRollup.objects.filter(month="2026-06-01"):
        if not row.suppressed:
            shown.append(
                ((row.dimension, row.value, "people"), members_of(row.dimension, row.value))
            )
        if not row.managers_suppressed:
            shown.append(
                (
                    (row.dimension, row.value, "managers"),
                    members_of(row.dimension, row.value, managers_only=True),
                )
            )
    assert len(shown) > 4
    for (key_a, a), (key_b, b) in combinations(shown, 2):
        for difference in (a - b, b - a):
            assert len(difference) == 0 or len(difference) >= MIN, (key_a, key_b, difference)
    for _, group in shown:
        assert len(group) >= MIN


def test_hidden_groups_of_a_breakdown_cannot_be_recovered_from_the_total(tempting_population):
    for dimension in (Dimension.DEPARTMENT, Dimension.ROLE, Dimension.LOCATION):
        rows = GroupRollup.objects.filter(month="2026-06-01", dimension=dimension)
        hidden = [row for row in rows if row.suppressed]
        if not hidden:
            continue
        covered = sum(len(members_of(dimension, row.value)) for row in hidden)
        assert len(hidden) >= 2, dimension
        assert covered >= MIN, dimension
        # And the stored rows hold no counts to leak.
        assert all(row.people == row.engaged == 0 for row in hidden)


def test_the_lone_nurse_cannot_be_isolated(tempting_population):
    radiology = GroupRollup.objects.get(
        month="2026-06-01", dimension="department", value="radiology"
    )
    north = GroupRollup.objects.get(month="2026-06-01", dimension="location", value="North Clinic")
    assert radiology.suppressed or north.suppressed
