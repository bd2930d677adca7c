"""The rollups on a constructed data set with known answers."""

import pytest

from enrollment.models import Enrollment, Source
from insights.models import Dimension, GroupRollup, MonthlyKpis
from insights.selectors import goal_for
from tests.insights.factories import at, enroll, people, refresh

pytestmark = pytest.mark.django_db


def row(month, dimension=Dimension.ALL, value=""):
    return GroupRollup.objects.get(month=month, dimension=dimension, value=value)


@pytest.fixture
def organization():
    """20 managers and 30 others in two departments of 25."""
    nursing_managers = people(10, department="Nursing", is_manager=True)
    nursing = people(15, department="Nursing")
    estates_managers = people(10, department="Estates", role="Engineer", is_manager=True)
    estates = people(15, department="Estates", role="Engineer")
    return nursing_managers, nursing, estates_managers, estates


def test_managers_engaged_by_month_with_known_answers(organization):
    nursing_managers, nursing, estates_managers, estates = organization
    for person in nursing_managers[:3]:
        enroll(person, at(2026, 1, 10))
    enroll(nursing_managers[3], at(2026, 2, 3))
    # A second enrollment of someone already engaged changes nothing.
    enroll(nursing_managers[0], at(2026, 2, 20))
    enroll(estates_managers[0], at(2026, 3, 1), completed=at(2026, 3, 9))
    for person in nursing[:6]:
        enroll(person, at(2026, 2, 14))

    refresh(at(2026, 3, 15))

    jan, feb, mar = (row(f"2026-0{m}-01") for m in (1, 2, 3))
    assert (jan.managers, jan.managers_engaged, jan.people, jan.engaged) == (20, 3, 50, 3)
    assert (feb.managers_engaged, feb.engaged) == (4, 10)
    assert (mar.managers_engaged, mar.engaged) == (5, 11)
    assert (feb.enrollments, feb.active_learners) == (8, 8)
    assert (mar.enrollments, mar.completions, mar.active_learners) == (1, 1, 1)
    nursing_feb = row("2026-02-01", Dimension.DEPARTMENT, "nursing")
    assert (nursing_feb.people, nursing_feb.managers, nursing_feb.managers_engaged) == (25, 10, 4)
    assert jan.is_final
    assert feb.is_final
    assert not mar.is_final
    goal = goal_for(year=2026)
    assert goal.latest.managers.percent == 25.0
    assert goal.latest.managers.text == "5 of 20"


def test_year_boundary_counts_from_first_january_local_time(organization):
    nursing_managers, *_ = organization
    enroll(nursing_managers[0], at(2025, 12, 31, 23, 30))
    enroll(nursing_managers[1], at(2026, 1, 1, 0, 10))
    # Enrolled last year, completed this year: the completion counts for this year.
    enroll(nursing_managers[2], at(2025, 11, 2), completed=at(2026, 1, 5))

    refresh(at(2026, 1, 20))

    jan = row("2026-01-01")
    assert jan.managers_engaged == 2
    december = row("2025-12-01")
    # In January the run also closes last December, which counts within 2025.
    assert december.managers_engaged == 2
    assert december.is_final


def test_withdrawn_and_admin_enrollments_are_not_chosen_learning(organization):
    nursing_managers, *_ = organization
    enroll(nursing_managers[0], at(2026, 2, 1), status=Enrollment.Status.WITHDRAWN)
    enroll(nursing_managers[1], at(2026, 2, 1), source=Source.ADMIN)
    enroll(nursing_managers[2], at(2026, 2, 1), source=Source.ADMIN, completed=at(2026, 2, 8))
    enroll(nursing_managers[3], at(2026, 2, 1), status=Enrollment.Status.WAITLISTED)

    refresh(at(2026, 2, 20))

    feb = row("2026-02-01")
    assert feb.managers_engaged == 2
    assert feb.enrollments == 1  # the waitlist place; the admin's ones are not chosen
    assert feb.completions == 1


def test_manager_flag_change_counts_from_the_month_it_is_seen(organization):
    nursing_managers, nursing, *_ = organization
    newly_promoted = nursing[0]
    enroll(newly_promoted, at(2026, 2, 10))
    enroll(nursing_managers[0], at(2026, 1, 10))

    refresh(at(2026, 3, 1, 0, 30))  # the first run after February ends freezes it
    newly_promoted.is_manager = True
    newly_promoted.save()
    stepping_down = nursing_managers[0]
    stepping_down.is_manager = False
    stepping_down.save()
    refresh(at(2026, 3, 20))

    feb, mar = row("2026-02-01"), row("2026-03-01")
    # February: as it was (the flag changed in March).
    assert (feb.managers, feb.managers_engaged) == (20, 1)
    # March: the new manager counts with their February enrollment; the one who stepped
    # down leaves the managers' figure and stays among everyone.
    assert (mar.managers, mar.managers_engaged) == (20, 1)
    assert mar.engaged == 2
    assert row("2026-03-01", Dimension.MANAGER, "others").engaged == 1


def test_refresh_is_idempotent_and_final_months_stay(organization):
    nursing_managers, *_ = organization
    enroll(nursing_managers[0], at(2026, 1, 10))
    refresh(at(2026, 2, 10))
    first = list(GroupRollup.objects.order_by("month", "dimension", "value").values())
    refresh(at(2026, 2, 10))
    again = list(GroupRollup.objects.order_by("month", "dimension", "value").values())
    assert [{k: v for k, v in r.items() if k != "id"} for r in first] == [
        {k: v for k, v in r.items() if k != "id"} for r in again
    ]
    assert MonthlyKpis.objects.count() == 2

    # A late record for January does not rewrite the closed month.
    enroll(nursing_managers[1], at(2026, 1, 20))
    assert refresh(at(2026, 2, 11)) == [at(2026, 2, 1).date()]
    assert row("2026-01-01").managers_engaged == 1
    assert row("2026-02-01").managers_engaged == 2


def test_circle_attendance_engages(organization):
    from circles.models import Attendance, Meeting
    from tests.circles.factories import make_circle

    nursing_managers, *_ = organization
    circle = make_circle(state="open")
    meeting = circle.meetings.order_by("starts_at").first()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=at(2026, 4, 7, 12), ends_at=at(2026, 4, 7, 13)
    )
    Attendance.objects.create(meeting=meeting, user=nursing_managers[5].user, attended=True)
    Attendance.objects.create(meeting=meeting, user=nursing_managers[6].user, attended=False)

    refresh(at(2026, 4, 20))

    assert row("2026-04-01").managers_engaged == 1


def test_insights_refresh_command_recomputes_open_months(organization):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("insights_refresh", stdout=out)
    assert "Insights rollups recomputed" in out.getvalue()
    assert GroupRollup.objects.filter(dimension=Dimension.ALL).exists()
