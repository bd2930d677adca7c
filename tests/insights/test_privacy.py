"""Breakdowns never single anyone out: suppression, complements, differencing attacks."""

import pytest

from insights.models import Dimension, GroupRollup
from insights.selectors import breakdown_for, goal_for, group_options
from tests.insights.factories import at, enroll, hr_user, people, refresh

pytestmark = pytest.mark.django_db
NOW = at(2026, 5, 20)


def shown(dimension, value, month="2026-05-01"):
    return not GroupRollup.objects.get(month=month, dimension=dimension, value=value).suppressed


def test_a_small_department_is_hidden_and_so_is_its_complement():
    people(30, department="Nursing", is_manager=False)
    people(12, department="Estates", role="Engineer")
    people(3, department="Pharmacy", role="Pharmacist")
    refresh(NOW)

    assert not shown(Dimension.DEPARTMENT, "pharmacy")
    # Everyone minus the two large departments would be Pharmacy: Estates goes too.
    assert not shown(Dimension.DEPARTMENT, "estates")
    assert shown(Dimension.DEPARTMENT, "nursing")
    stored = GroupRollup.objects.get(month="2026-05-01", dimension="department", value="pharmacy")
    assert (stored.people, stored.engaged) == (0, 0)  # hidden cells keep no counts


def test_differencing_two_overlapping_filters_recovers_nobody(client):
    """Nursing (20 people, all at General) and General Hospital (Nursing plus one person):
    their difference would be one person's learning. One of the two is never shown."""
    nurses = people(20, department="Nursing", location="General Hospital")
    (lone,) = people(1, department="Estates", role="Engineer", location="General Hospital")
    people(19, department="Estates", role="Engineer", location="Riverside")
    people(10, department="Pharmacy", role="Pharmacist", location="Riverside")
    enroll(lone, at(2026, 3, 3))
    for nurse in nurses[:8]:
        enroll(nurse, at(2026, 3, 3))
    refresh(NOW)

    nursing = goal_for(year=2026, dimension=Dimension.DEPARTMENT, value="nursing")
    general = goal_for(year=2026, dimension=Dimension.LOCATION, value="General Hospital")
    assert not (nursing.found and general.found)
    offered = {(o.dimension, o.value) for opts in group_options().values() for o in opts}
    assert (
        not {
            (Dimension.DEPARTMENT, "nursing"),
            (Dimension.LOCATION, "General Hospital"),
        }
        <= offered
    )

    # Over HTTP too: the hidden one of the pair answers 404, its figures appear nowhere.
    client.force_login(hr_user())
    answers = [
        client.get("/insights/", {"group": "department:nursing"}).status_code,
        client.get("/insights/", {"group": "location:General Hospital"}).status_code,
    ]
    assert sorted(answers) == [200, 404]


def test_differencing_against_everyone_recovers_nobody():
    """A role that holds everyone but two people would give those two away."""
    people(30, department="Nursing", role="Registered Nurse")
    people(2, department="Estates", role="Engineer")
    refresh(NOW)

    assert not shown(Dimension.ROLE, "registered-nurse")
    assert not shown(Dimension.ROLE, "engineer")
    assert shown(Dimension.ALL, "")


def test_managers_within_a_department_hidden_when_the_rest_is_small():
    """Nursing: 8 managers, 3 others. Nursing minus its managers would be 3 people."""
    people(8, department="Nursing", is_manager=True)
    people(3, department="Nursing")
    people(20, department="Estates", role="Engineer")
    people(10, department="Estates", role="Engineer", is_manager=True)
    refresh(NOW)

    nursing = GroupRollup.objects.get(month="2026-05-01", dimension="department", value="nursing")
    assert nursing.suppressed or nursing.managers_suppressed


def test_a_count_that_would_single_people_out_is_a_band():
    managers = people(12, department="Nursing", is_manager=True)
    people(30, department="Nursing")
    enroll(managers[0], at(2026, 2, 2))
    refresh(NOW)

    latest = goal_for(year=2026).latest
    assert latest.managers.percent is None
    assert latest.managers.text == "fewer than 5 of 12"


def test_everyone_engaged_in_a_group_is_a_band_too():
    managers = people(10, department="Nursing", is_manager=True)
    people(30, department="Nursing")
    for manager in managers:
        enroll(manager, at(2026, 2, 2))
    refresh(NOW)

    assert goal_for(year=2026).latest.managers.text == "more than 5 of 10"


def test_the_hidden_groups_together_are_protected_like_a_shown_one():
    """Departments A (50), B (45), C (3), D (3): C and D are hidden, and with Everyone at
    41 of 101, A at 20 of 50 and B at 20 of 45 exact, C and D together would be 1 of 6.
    So B (the smallest shown group) becomes a band: nothing pins that one person down."""
    a = people(50, department="Dept A")
    b = people(45, department="Dept B")
    c = people(3, department="Dept C")
    people(3, department="Dept D")
    for person in a[:20] + b[:20] + c[:1]:
        enroll(person, at(2026, 3, 3))
    refresh(NOW)

    assert goal_for(year=2026).latest.everyone.text == "40 of 101"  # 41, rounded
    dept_a = goal_for(year=2026, dimension=Dimension.DEPARTMENT, value="dept-a").latest
    dept_b = goal_for(year=2026, dimension=Dimension.DEPARTMENT, value="dept-b").latest
    assert dept_a.everyone.text == "20 of 50"
    assert dept_b.everyone.count is None
    assert dept_b.everyone.text == "between 5 and 40 of 45"
    breakdown = breakdown_for(year=2026, dimension=Dimension.DEPARTMENT)
    shown = {row.label: row.everyone.text for row in breakdown.rows}
    assert shown == {"Dept A": "20 of 50", "Dept B": "between 5 and 40 of 45"}
    assert breakdown.hidden == 2


def test_engaged_since_january_month_over_month_does_not_show_one_new_person():
    """11 of 40 engaged by March, 12 by April: exact figures would point at the one person
    who first engaged in April. Both read "10 of 40"."""
    nurses = people(40, department="Nursing")
    engineers = people(20, department="Estates", role="Engineer")
    for nurse in nurses[:11] + engineers[:6]:
        enroll(nurse, at(2026, 3, 3))
    enroll(nurses[11], at(2026, 4, 3))
    refresh(NOW)

    months = goal_for(year=2026, dimension=Dimension.DEPARTMENT, value="nursing").months
    by_month = {m.month.month: m.everyone.text for m in months}
    assert by_month[3] == by_month[4] == "10 of 40"
