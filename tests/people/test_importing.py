"""The HR feed import: good rows beside rejected ones, and what rejects a file or a row."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_portal.core import csvfiles
from people import importing
from people.importing import RowProblem
from people.models import Department, Employee, ImportRun, Role, User
from people.services import people_import
from tests.people.factories import EmployeeFactory, UserFactory
from tests.people.helpers import HEADER, feed, run, snapshot

pytestmark = pytest.mark.django_db


def test_good_rows_are_imported_alongside_rejected_rows():
    report = run(
        feed(
            "E1,ann@example.org,Ann,Archer,Nursing,Registered Nurse,Ward Sister,yes,",
            "E2,,Bob,Baker,Nursing,,,no,E1",
            "E3,not-an-email,Cy,Cole,,,,maybe,",
            "E4,dee@example.org,Dee,Dunn,Pharmacy,Pharmacist,,N,E1",
            "E5,eve@example.org,Eve,,,,,,",
        )
    )

    assert (report.row_count, report.created, report.updated, report.unchanged) == (5, 2, 0, 0)
    assert report.rejected_rows == [
        RowProblem(3, "E2", "missing required value: email"),
        RowProblem(
            4,
            "E3",
            "email 'not-an-email' is not a valid email address; "
            "is_manager must be true/false, yes/no, y/n or 1/0, not 'maybe'",
        ),
        RowProblem(6, "E5", "missing required value: last_name"),
    ]
    assert report.manager_link_problems == []
    assert snapshot() == [
        ("E1", "ann@example.org", "Ann", True, "Nursing", "Ward Sister", True, None),
        ("E4", "dee@example.org", "Dee", True, "Pharmacy", "", False, "E1"),
    ]
    assert sorted(Role.objects.values_list("slug", flat=True)) == [
        "pharmacist",
        "registered-nurse",
    ]


def test_new_people_get_an_unusable_password_and_an_active_account():
    run(feed("E1,Ann@Example.org,Ann,Archer,,,,,"))

    user = User.objects.get(employee__employee_id="E1")
    assert user.email == "ann@example.org"
    assert user.is_active
    assert not user.has_usable_password()
    assert not user.is_staff
    assert not user.is_superuser


def test_header_is_case_insensitive_extra_columns_ignored_and_bom_accepted():
    data = "\ufeffEmployee ID,E-mail,First Name,LAST_NAME,Cost Centre\nE1,a@example.org,Ann,A,CC9\n"

    report = run(data.encode("utf-8"))

    assert report.created == 1
    assert Employee.objects.get().user.email == "a@example.org"


def test_semicolon_separated_file_is_read():
    report = run(b"employee_id;email;first_name;last_name\nE1;a@example.org;Ann;A\n")

    assert report.created == 1


def test_departments_are_matched_by_name_or_slug_and_created_once():
    existing = Department.objects.create(name="Emergency Care", slug="emergency-care")
    accident = Department.objects.create(name="A&E", slug="accident-and-emergency")

    run(
        feed(
            "E1,a@example.org,A,A,emergency care,,,,",
            "E2,b@example.org,B,B,Radiology,,,,",
            "E3,c@example.org,C,C,radiology,,,,",
            "E4,d@example.org,D,D,a&e,,,,",
        )
    )

    assert Employee.objects.get(employee_id="E1").department == existing
    assert Employee.objects.get(employee_id="E4").department == accident
    assert Department.objects.filter(slug="radiology").count() == 1
    assert Employee.objects.filter(department__slug="radiology").count() == 2


# File-level rejections: nothing changes, and the message says why.


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", importing.FILE_EMPTY),
        (b"  \r\n\n", importing.FILE_EMPTY),
        (HEADER.encode() + b"\n", importing.FILE_NO_DATA_ROWS),
        (HEADER.encode() + b"\n,,,\n\n", importing.FILE_NO_DATA_ROWS),
        (
            "employee_id,email,first_name,last_name\nE1,jos\xe9@example.org,Jos\xe9,P\n".encode(
                "latin-1"
            ),
            importing.FILE_NOT_UTF8.format(byte=0xE9, row=2),
        ),
        ("employee_id,email\n".encode("utf-16"), importing.FILE_UTF16),
        (bytes(range(256)) * 4, importing.FILE_BINARY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", importing.FILE_BINARY),
        (b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml", importing.FILE_BINARY),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "header-and-blank-rows",
        "latin-1",
        "utf-16",
        "binary",
        "png",
        "xlsx",
    ],
)
def test_unusable_file_is_rejected_with_a_clear_message_and_changes_nothing(data, message):
    EmployeeFactory(employee_id="E1", user__email="kept@example.org")
    before = snapshot()

    with pytest.raises(ValidationError) as raised:
        run(data, deactivate_missing=True)

    assert raised.value.messages == [message]
    assert snapshot() == before
    assert not ImportRun.objects.exists()


def test_missing_required_columns_are_named():
    with pytest.raises(ValidationError) as raised:
        run(b"Employee Number,email,name\n1,a@example.org,Ann\n")

    assert raised.value.messages == [
        "Missing column(s): employee_id, first_name, last_name. "
        "The first row must name the columns; it has: employee_number, email, name."
    ]
    assert not User.objects.exists()


def test_a_column_named_twice_is_rejected():
    with pytest.raises(ValidationError) as raised:
        run(b"employee_id,email,first_name,last_name,Email\nE1,a@example.org,A,A,b@example.org\n")

    assert raised.value.messages == ["Column(s) named more than once: email."]


def test_malformed_quoting_is_reported_with_its_row():
    report = run(
        b'employee_id,email,first_name,last_name\nE1,a@example.org,"Ann"x,A\n'
        b"E2,b@example.org,Bob,B\n"
    )

    assert report.rejected_rows == [
        RowProblem(2, "", csvfiles.ROW_NOT_CSV.format(error="',' expected after '\"'"))
    ]
    assert list(User.objects.values_list("email", flat=True)) == ["b@example.org"]


# Row-level rejections.


def test_duplicate_employee_ids_reject_every_row_with_that_id():
    report = run(
        feed(
            "E1,a@example.org,Ann,A,,,,,",
            "E2,b@example.org,Bob,B,,,,,",
            "E1,c@example.org,Ann,Again,,,,,",
            "E3,d@example.org,Cy,C,,,,,",
            "E1,e@example.org,Ann,Third,,,,,",
        )
    )

    reason = "employee ID E1 appears in rows 2, 4, 6: each person must appear once"
    assert report.rejected_rows == [
        RowProblem(2, "E1", reason),
        RowProblem(4, "E1", reason),
        RowProblem(6, "E1", reason),
    ]
    assert report.created == 2
    assert sorted(Employee.objects.values_list("employee_id", flat=True)) == ["E2", "E3"]


def test_duplicate_email_within_the_file_rejects_both_rows():
    report = run(feed("E1,same@example.org,A,A,,,,,", "E2,SAME@example.org,B,B,,,,,"))

    reason = "email same@example.org appears in rows 2, 3: each person needs their own email"
    assert report.rejected_rows == [RowProblem(2, "E1", reason), RowProblem(3, "E2", reason)]
    assert not Employee.objects.exists()


def test_email_already_used_by_another_employee_is_rejected():
    EmployeeFactory(employee_id="E9", user__email="taken@example.org")

    report = run(feed("E1,Taken@example.org,A,A,,,,,"))

    assert report.rejected_rows == [
        RowProblem(2, "E1", "email taken@example.org is already used by employee E9")
    ]
    assert not Employee.objects.filter(employee_id="E1").exists()


def test_email_freed_by_another_row_asks_for_a_second_run():
    EmployeeFactory(employee_id="E1", user__email="old@example.org")
    EmployeeFactory(employee_id="E2", user__email="other@example.org")

    report = run(feed("E1,new@example.org,A,A,,,,,", "E2,old@example.org,B,B,,,,,"))

    assert report.rejected_rows == [
        RowProblem(
            3,
            "E2",
            "email old@example.org is still used by employee E1, whose row in this file "
            "changes it: import the file again to apply this row",
        )
    ]
    second = run(feed("E1,new@example.org,A,A,,,,,", "E2,old@example.org,B,B,,,,,"))
    assert second.rejected_rows == []
    assert User.objects.get(employee__employee_id="E2").email == "old@example.org"


def test_existing_account_without_employee_is_attached_not_duplicated():
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    password_hash = admin.password

    report = run(feed("E7,admin@example.org,Ada,Admin,IT,,,,"))

    assert report.created == 1
    admin.refresh_from_db()
    assert admin.employee.employee_id == "E7"
    assert (admin.is_staff, admin.is_superuser, admin.password) == (True, True, password_hash)
    assert User.objects.count() == 1


def test_control_characters_in_a_value_are_rejected():
    report = people_import(
        rows=[
            {"employee_id": "E1", "email": "a@example.org", "first_name": "A\x00", "last_name": "A"}
        ]
    )

    assert report.rejected_rows == [RowProblem(2, "E1", "first_name contains control characters")]


def test_values_longer_than_the_fields_are_rejected():
    report = run(feed(f"E1,a@example.org,A,A,,,{'x' * 201},,"))

    assert report.rejected_rows == [RowProblem(2, "E1", "job_title is longer than 200 characters")]


# Malformed rows (issue 17): rejected by number, nobody changed wrongly.


def test_a_row_with_an_unquoted_comma_is_rejected_and_changes_nobody():
    EmployeeFactory(employee_id="E1", user__email="ann@example.org", job_title="Nurse")
    before = snapshot()

    report = run(feed("E1,ann@example.org,Ann,Smith, Jr.,Nursing,,Nurse,no,"))

    assert report.rejected_rows == [
        RowProblem(
            2,
            "",
            csvfiles.ROW_WRONG_LENGTH.format(count=10, expected=9) + csvfiles.ROW_WRONG_LENGTH_HINT,
        )
    ]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot() == before


def test_a_truncated_row_is_rejected_and_the_person_keeps_their_details():
    EmployeeFactory(
        employee_id="E1", user__email="ann@example.org", job_title="Ward sister", is_manager=True
    )
    before = snapshot()

    report = run(feed("E2,bob@example.org,Bob,Baker,,,,no,", "E1,ann@example.org,Ann,Archer"))

    assert [(p.row, p.reason) for p in report.rejected_rows] == [
        (3, csvfiles.ROW_WRONG_LENGTH.format(count=4, expected=9) + csvfiles.ROW_WRONG_LENGTH_HINT)
    ]
    assert report.created == 1
    assert [row for row in snapshot() if row[0] == "E1"] == [r for r in before if r[0] == "E1"]


def test_a_nul_byte_rejects_its_row_only():
    report = run(feed("E1,ann@example.org,Ann,A\x00,,,,no,", "E2,bob@example.org,Bob,B,,,,no,"))

    assert [p.row for p in report.rejected_rows] == [2]
    assert "control character 0x00" in report.rejected_rows[0].reason
    assert list(Employee.objects.values_list("employee_id", flat=True)) == ["E2"]


def test_an_unreadable_row_stops_deactivation_and_says_why():
    EmployeeFactory(employee_id="E1", user__email="ann@example.org")
    EmployeeFactory(employee_id="E2", user__email="bob@example.org")

    report = run(
        feed("E1,ann@example.org,Ann,A,,,,no,", 'E2,bob@example.org,"Bob"x,B,,,,no,'),
        deactivate_missing=True,
    )

    assert report.deactivated == 0
    assert report.notices == [importing.NOBODY_DEACTIVATED.format(rows="3")]
    assert User.objects.filter(is_active=True).count() == 2


@pytest.mark.parametrize("others", [5, 60])
def test_a_one_row_feed_reads_only_the_people_it_names(others):
    EmployeeFactory.create_batch(others)
    EmployeeFactory(employee_id="E1", user__email="ann@example.org")

    with CaptureQueriesContext(connection) as queries:
        report = run(feed("E1,ann@example.org,Ann,Archer,,,Nurse,no,"))

    assert report.updated == 1
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    everyone = [sql for sql in reads if "people_employee" in sql and "WHERE" not in sql]
    assert everyone == []
    # The same queries whatever the number of employees.
    assert len(queries) <= 16, [q["sql"] for q in queries]
