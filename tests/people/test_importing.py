import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning_portal.core import csvfiles
from people import importing
from people.importing import RowProblem
from people.models import Department, Employee, ImportRun, Role, User
from people.services import PEOPLE_IMPORT_LOCK, people_import
from tests.people.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "employee_id,email,first_name,last_name,department,role,job_title,is_manager,"
    "manager_employee_id"
)


def feed(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def run(data: bytes, **options):
    return people_import(file=data, **options)


def snapshot():
    return sorted(
        Employee.objects.values_list(
            "employee_id",
            "user__email",
            "user__first_name",
            "user__is_active",
            "department__name",
            "job_title",
            "is_manager",
            "manager__employee_id",
        )
    )


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


# Pass 2: reporting lines.


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


# Updates, re-imports, dry runs.

ORIGINAL = (
    "E1,ann@example.org,Ann,Archer,Nursing,Registered Nurse,Ward Sister,yes,",
    "E2,bob@example.org,Bob,Baker,Nursing,Registered Nurse,Staff Nurse,no,E1",
)


def test_reimport_of_the_same_file_counts_everyone_unchanged():
    run(feed(*ORIGINAL))
    before = list(Employee.objects.order_by("pk").values_list("pk", "updated_at"))

    report = run(feed(*ORIGINAL))

    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 2, 0)
    assert list(Employee.objects.order_by("pk").values_list("pk", "updated_at")) == before


def test_changed_rows_are_updated_without_touching_flags_or_passwords():
    run(feed(*ORIGINAL))
    bob = User.objects.get(email="bob@example.org")
    bob.is_staff = True
    bob.set_password("bob-secret-1")
    bob.save()
    EmailAddress.objects.create(user=bob, email="bob@example.org", primary=True, verified=True)

    report = run(
        feed(
            ORIGINAL[0],
            "E2,robert@example.org,Robert,Baker,Pharmacy,Pharmacist,Dispenser,no,",
        )
    )

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    bob.refresh_from_db()
    assert (bob.email, bob.first_name, bob.is_staff) == ("robert@example.org", "Robert", True)
    assert bob.check_password("bob-secret-1")
    employee = bob.employee
    assert (employee.department.name, employee.role.name, employee.job_title) == (
        "Pharmacy",
        "Pharmacist",
        "Dispenser",
    )
    assert employee.manager is None
    address = EmailAddress.objects.get(user=bob)
    assert (address.email, address.primary, address.verified) == (
        "robert@example.org",
        True,
        False,
    )


def test_only_a_changed_manager_counts_as_an_update():
    run(feed(*ORIGINAL, "E3,cy@example.org,Cy,Cole,Nursing,Registered Nurse,Staff Nurse,no,"))

    report = run(
        feed(*ORIGINAL, "E3,cy@example.org,Cy,Cole,Nursing,Registered Nurse,Staff Nurse,no,E1")
    )

    assert (report.updated, report.unchanged) == (1, 2)
    assert Employee.objects.get(employee_id="E3").manager.employee_id == "E1"


def test_reimport_of_50_unchanged_rows_runs_a_bounded_number_of_queries():
    rows = [f"E{n},p{n}@example.org,P{n},Q,Ward {n % 5},Nurse,,no,E0" for n in range(1, 50)]
    data = feed("E0,p0@example.org,P0,Q,Ward 0,Nurse,,yes,", *rows)
    run(data)

    with CaptureQueriesContext(connection) as queries:
        report = run(data)

    assert report.unchanged == 50
    # Load employees, accounts, verified addresses, departments, roles; record the run; the
    # savepoints and, on PostgreSQL, the import lock. Nothing per row.
    assert len(queries) <= 11, [q["sql"] for q in queries]


def test_dry_run_reports_the_same_and_changes_nothing():
    EmployeeFactory(employee_id="E1", user__email="ann@example.org")
    before = snapshot()
    departments = Department.objects.count()
    data = feed(
        "E1,ann@example.org,Ann,Changed,Radiology,,,,",
        "E2,new@example.org,New,Person,Radiology,,,,E1",
        "E3,broken,X,Y,,,,,",
    )

    dry = run(data, dry_run=True)

    assert snapshot() == before
    assert Department.objects.count() == departments
    assert dry.dry_run
    assert dry.summary == (
        "Dry run, nothing saved: 3 rows: 1 created, 1 updated, 0 unchanged, 1 rejected."
    )
    real = run(data)
    assert (real.created, real.updated, real.unchanged, real.rejected_rows) == (
        dry.created,
        dry.updated,
        dry.unchanged,
        dry.rejected_rows,
    )
    assert snapshot() != before


def test_every_run_is_recorded_with_its_problems():
    actor = UserFactory(is_staff=True)

    run(feed("E1,a@example.org,A,A,,,,,", "E2,bad,B,B,,,,,"), actor=actor, dry_run=True)

    recorded = ImportRun.objects.get()
    assert (recorded.actor, recorded.dry_run, recorded.created, recorded.rejected) == (
        actor,
        True,
        1,
        1,
    )
    assert recorded.problems == [
        {
            "kind": "rejected",
            "row": 3,
            "employee_id": "E2",
            "reason": "email 'bad' is not a valid email address",
        }
    ]


def test_rows_can_be_given_already_split():
    report = people_import(
        rows=[
            {"Employee ID": "E1", "Email": "a@example.org", "First name": "A", "Last name": "A"},
            {"Employee ID": "E2", "Email": "", "First name": "B", "Last name": "B"},
        ]
    )

    assert report.created == 1
    assert report.rejected_rows == [RowProblem(3, "E2", "missing required value: email")]


# Deactivation.


def staff_of(count: int) -> list[Employee]:
    return [
        EmployeeFactory(employee_id=f"S{n}", user__email=f"s{n}@example.org") for n in range(count)
    ]


def rows_for(employees: list[Employee]) -> list[str]:
    return [f"{e.employee_id},{e.user.email},{e.user.first_name},X,,,,," for e in employees]


def test_people_missing_from_a_full_feed_are_deactivated_not_deleted():
    people = staff_of(10)

    report = run(feed(*rows_for(people[:8])), deactivate_missing=True)

    assert report.deactivated == 2
    assert report.summary.endswith("2 deactivated.")
    inactive = User.objects.filter(is_active=False).values_list("email", flat=True)
    assert sorted(inactive) == ["s8@example.org", "s9@example.org"]
    assert Employee.objects.count() == 10


def test_without_the_option_missing_people_stay_active():
    people = staff_of(3)

    report = run(feed(*rows_for(people[:1])))

    assert report.deactivated == 0
    assert not User.objects.filter(is_active=False).exists()


def test_rejected_rows_still_count_as_present_in_the_feed():
    people = staff_of(5)
    rows = rows_for(people[:4]) + [f"{people[4].employee_id},not-an-email,X,X,,,,,"]

    report = run(feed(*rows), deactivate_missing=True)

    assert report.rejected == 1
    assert report.deactivated == 0


def test_deactivating_more_than_the_safety_limit_is_refused_unless_forced():
    people = staff_of(10)
    truncated = feed(*rows_for(people[:7]))

    with pytest.raises(ValidationError) as raised:
        run(truncated, deactivate_missing=True)

    assert raised.value.messages == [
        "Nothing was imported: this feed would deactivate 3 of 10 active employees (30%), "
        "more than the 20% safety limit. Check that the file is complete, or import it again "
        "with force to deactivate them anyway."
    ]
    assert not User.objects.filter(is_active=False).exists()
    report = run(truncated, deactivate_missing=True, force=True)
    assert report.deactivated == 3


def test_superusers_are_never_deactivated_by_the_feed():
    people = staff_of(5)
    User.objects.filter(pk=people[4].user_id).update(is_superuser=True, is_staff=True)

    report = run(feed(*rows_for(people[:4])), deactivate_missing=True)

    assert report.deactivated == 0
    assert User.objects.get(pk=people[4].user_id).is_active


def test_active_column_deactivates_and_reactivates():
    people = staff_of(2)
    header = "employee_id,email,first_name,last_name,active"

    first = run(feed("S0,s0@example.org,A,X,no", "S1,s1@example.org,B,X,", header=header))
    assert (first.updated, User.objects.get(email="s0@example.org").is_active) == (2, False)
    assert User.objects.get(email="s1@example.org").is_active

    again = run(feed("S0,s0@example.org,A,X,Y", header=header))
    assert again.updated == 1
    assert User.objects.get(pk=people[0].user_id).is_active


def test_missing_person_who_reappears_with_active_true_is_reactivated():
    people = staff_of(5)
    run(feed(*rows_for(people[:4])), deactivate_missing=True)
    assert not User.objects.get(pk=people[4].user_id).is_active

    header = "employee_id,email,first_name,last_name,active"
    rows = [f"{e.employee_id},{e.user.email},{e.user.first_name},X,true" for e in people]
    report = run(feed(*rows, header=header), deactivate_missing=True)

    assert report.deactivated == 0
    assert User.objects.get(pk=people[4].user_id).is_active


def test_deactivated_person_cannot_sign_in(client):
    people = staff_of(5)
    leaver = people[4]
    run(feed(*rows_for(people[:4])), deactivate_missing=True)

    response = client.post(
        "/accounts/login/", {"login": leaver.user.email, "password": "learn-test"}
    )

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.url == "/accounts/inactive/"
    stayer = people[0]
    client.post("/accounts/login/", {"login": stayer.user.email, "password": "learn-test"})
    assert client.session["_auth_user_id"] == str(stayer.user_id)


def test_deactivated_person_loses_an_open_session(client):
    people = staff_of(5)
    client.force_login(people[4].user)
    assert client.get("/me/profile/").status_code == 200

    run(feed(*rows_for(people[:4])), deactivate_missing=True)

    response = client.get("/me/profile/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_row_the_database_refuses_is_rejected_alone(monkeypatch):
    # Another process creates an account between our read and our write (an SSO sign-in,
    # an admin): the batch insert fails, and each row is retried on its own.
    load = importing.FeedImporter._load_existing

    def load_then_race(self):
        load(self)
        User.objects.create_user(email="bob@example.org")

    monkeypatch.setattr(importing.FeedImporter, "_load_existing", load_then_race)

    report = run(feed(*ORIGINAL, "E3,cy@example.org,Cy,Cole,,,,,E1"))

    assert report.created == 2
    assert [(p.row, p.key) for p in report.rejected_rows] == [(3, "E2")]
    assert report.rejected_rows[0].reason.startswith("could not be saved (")
    assert sorted(Employee.objects.values_list("employee_id", "manager__employee_id")) == [
        ("E1", None),
        ("E3", "E1"),
    ]


def test_existing_employee_cannot_take_the_email_of_an_account_outside_the_feed():
    EmployeeFactory(employee_id="E1", user__email="ann@example.org")
    UserFactory(email="shared-mailbox@example.org")

    report = run(feed("E1,shared-mailbox@example.org,Ann,A,,,,,"))

    assert report.rejected_rows == [
        RowProblem(2, "E1", "email shared-mailbox@example.org is already used by another account")
    ]
    assert User.objects.get(employee__employee_id="E1").email == "ann@example.org"


def test_blank_values_clear_details_and_absent_columns_keep_them():
    person = EmployeeFactory(employee_id="E1", user__email="ann@example.org", location="North")

    run(b"employee_id,email,first_name,last_name,department,job_title\nE1,ann@example.org,A,A,,\n")

    person.refresh_from_db()
    assert (person.department, person.job_title) == (None, "")
    assert person.location == "North"
    assert person.role.name == "Registered Nurse"


@pytest.mark.postgres
def test_import_holds_a_lock_so_concurrent_imports_wait_on_postgresql():
    run(feed("E1,a@example.org,A,A,,,,,"))

    # The test's transaction is still open, so the import's transaction-level lock is held.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
            "AND pid = pg_backend_pid() AND granted",
            [PEOPLE_IMPORT_LOCK],
        )
        assert cursor.fetchone()[0] == 1


def test_account_found_by_a_verified_address_is_attached_and_takes_the_feed_email():
    account = UserFactory(email="a.archer@old-trust.example.org")
    EmailAddress.objects.create(
        user=account, email="a.archer@old-trust.example.org", primary=True, verified=True
    )
    EmailAddress.objects.create(user=account, email="ann@example.org", primary=False, verified=True)

    report = run(feed("E1,ann@example.org,Ann,Archer,,,,,"))

    assert report.created == 1
    account.refresh_from_db()
    assert (account.email, account.employee.employee_id) == ("ann@example.org", "E1")
    assert list(EmailAddress.objects.values_list("email", "primary", "verified")) == [
        ("ann@example.org", True, True)
    ]


def test_a_text_file_that_is_not_the_feed_gets_a_short_message():
    with pytest.raises(ValidationError) as raised:
        run(("word " * 500 + "\nmore text\n").encode())

    (message,) = raised.value.messages
    assert message.startswith(
        "Missing column(s): employee_id, email, first_name, last_name. "
        "The first row must name the columns; it has: word_word_word"
    )
    assert message.endswith("….")
    assert len(message) < 320


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
