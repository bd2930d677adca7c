"""The HR feed import, pass 2: reporting lines, unknown managers and cycles."""

import pytest

from people.importing import RowProblem
from people.models import Employee
from tests.people.factories import EmployeeFactory
from tests.people.helpers import feed, run

pytestmark = pytest.mark.django_db


def test_unknown_manager_imports_the_person_and_reports_the_link():
    report = run(feed("E1,a@example.org,A,A,,,,,E123", "E2,b@example.org,B,B,,,,,E1"))

    assert report.created == 2
    assert report.rejected_rows == []
    assert report.manager_link_problems == [
        RowProblem(2, "E1", "manager E123 not found; the reporting line was left unchanged")
    ]
    assert Employee.objects.get(employee_id="E1").manager is None
    assert Employee.objects.get(employee_id="E2").manager.employee_id == "E1"


def test_manager_whose_row_was_rejected_is_not_found():
    report = run(feed("E1,bad-email,A,A,,,,,", "E2,b@example.org,B,B,,,,,E1"))

    assert [p.row for p in report.rejected_rows] == [2]
    assert report.manager_link_problems == [
        RowProblem(3, "E2", "manager E1 not found; the reporting line was left unchanged")
    ]


def test_manager_later_in_the_file_is_linked():
    run(feed("E2,b@example.org,B,B,,,,,E1", "E1,a@example.org,A,A,,,,yes,"))

    assert Employee.objects.get(employee_id="E2").manager.employee_id == "E1"


def test_self_as_manager_is_reported():
    report = run(feed("E1,a@example.org,A,A,,,,,E1"))

    assert report.created == 1
    assert report.manager_link_problems == [
        RowProblem(
            2,
            "E1",
            "an employee cannot be their own manager; the reporting line was left unchanged",
        )
    ]


def test_manager_cycle_in_the_file_rejects_the_links_that_close_it():
    report = run(
        feed(
            "E1,a@example.org,A,A,,,,yes,E3",
            "E2,b@example.org,B,B,,,,yes,E1",
            "E3,c@example.org,C,C,,,,yes,E2",
            "E4,d@example.org,D,D,,,,,E1",
            "E5,e@example.org,E,E,,,,,E6",
            "E6,f@example.org,F,F,,,,,E5",
        )
    )

    three = "(E1 → E3 → E2 → E1; rows 2, 3, 4)"
    two = "(E5 → E6 → E5; rows 6, 7)"
    assert report.created == 6
    assert report.manager_link_problems == [
        RowProblem(2, "E1", f"manager E3 would create a reporting cycle {three}; {LEFT}"),
        RowProblem(3, "E2", f"manager E1 would create a reporting cycle {three}; {LEFT}"),
        RowProblem(4, "E3", f"manager E2 would create a reporting cycle {three}; {LEFT}"),
        RowProblem(6, "E5", f"manager E6 would create a reporting cycle {two}; {LEFT}"),
        RowProblem(7, "E6", f"manager E5 would create a reporting cycle {two}; {LEFT}"),
    ]
    managers = dict(Employee.objects.values_list("employee_id", "manager__employee_id"))
    assert managers == {"E1": None, "E2": None, "E3": None, "E4": "E1", "E5": None, "E6": None}


LEFT = "the reporting line was left unchanged"


def test_new_link_closing_a_cycle_with_an_existing_one_is_rejected_and_old_link_kept():
    boss = EmployeeFactory(employee_id="E1", user__email="a@example.org")
    report_ = EmployeeFactory(employee_id="E2", user__email="b@example.org", manager=boss)

    report = run(feed("E1,a@example.org,A,A,,,,,E2"))

    assert report.manager_link_problems == [
        RowProblem(
            2, "E1", f"manager E2 would create a reporting cycle (E1 → E2 → E1; rows 2); {LEFT}"
        )
    ]
    boss.refresh_from_db()
    report_.refresh_from_db()
    assert boss.manager is None
    assert report_.manager == boss


def test_reporting_lines_can_be_turned_around_in_one_file():
    boss = EmployeeFactory(employee_id="E1", user__email="a@example.org")
    EmployeeFactory(employee_id="E2", user__email="b@example.org", manager=boss)

    report = run(feed("E1,a@example.org,A,A,,,,,E2", "E2,b@example.org,B,B,,,,,"))

    assert report.manager_link_problems == []
    managers = dict(Employee.objects.values_list("employee_id", "manager__employee_id"))
    assert managers == {"E1": "E2", "E2": None}


def test_absent_manager_column_keeps_reporting_lines():
    boss = EmployeeFactory(employee_id="E1", user__email="a@example.org")
    EmployeeFactory(
        employee_id="E2",
        user__email="b@example.org",
        user__first_name="B",
        user__last_name="B",
        manager=boss,
    )

    run(b"employee_id,email,first_name,last_name\nE2,b@example.org,B,B\n")

    assert Employee.objects.get(employee_id="E2").manager == boss
