"""The HR feed import again: updates, re-imports, dry runs, the run record, rows the
database refuses."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import importing
from people.importing import RowProblem
from people.models import Department, Employee, ImportRun, User
from people.services import PEOPLE_IMPORT_LOCK, people_import
from tests.people.factories import EmployeeFactory, UserFactory
from tests.people.helpers import feed, run, snapshot

pytestmark = pytest.mark.django_db


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
