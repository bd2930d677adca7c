from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from people.models import Employee, ImportRun, User

pytestmark = pytest.mark.django_db

GOOD = (
    "employee_id,email,first_name,last_name,department,is_manager,manager_employee_id\n"
    "E1,ann@example.org,Ann,Archer,Nursing,yes,\n"
    "E2,bob@example.org,Bob,Baker,Nursing,no,E1\n"
    "E3,cy@example.org,Cy,Cole,Pharmacy,no,E404\n"
    "E4,,Dee,Dunn,Pharmacy,no,\n"
)


def import_people(path, *args, rejected: int = 0) -> str:
    """The command's output; with `rejected`, it must also fail (exit status 1) saying so."""
    out = StringIO()
    if rejected:
        plural = "s" if rejected != 1 else ""
        with pytest.raises(
            CommandError, match=rf"^{rejected} row{plural} rejected; see the report"
        ):
            call_command("import_people", str(path), *args, stdout=out)
    else:
        call_command("import_people", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def feed_file(tmp_path):
    def write(content: str | bytes, name: str = "feed.csv"):
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
        return path

    return write


def test_command_imports_and_prints_the_report(feed_file):
    output = import_people(feed_file(GOOD), rejected=1)

    assert output.splitlines() == [
        "4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected.",
        "Rejected rows (not imported):",
        "  row 5 (E4): missing required value: email",
        "Manager links not applied (the people were imported):",
        "  row 4 (E3): manager E404 not found; the reporting line was left unchanged",
    ]
    assert Employee.objects.count() == 3
    run = ImportRun.objects.get()
    assert (run.source, run.filename, run.actor) == ("command", "feed.csv", None)


def test_command_reimport_reports_unchanged(feed_file):
    path = feed_file(GOOD)
    import_people(path, rejected=1)

    output = import_people(path, rejected=1)

    assert output.splitlines()[0] == "4 rows: 0 created, 0 updated, 3 unchanged, 1 rejected."


def test_command_dry_run_prints_the_report_and_saves_nothing(feed_file):
    output = import_people(feed_file(GOOD), "--dry-run", rejected=1)

    assert output.splitlines()[0] == (
        "Dry run, nothing saved: 4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected."
    )
    assert not Employee.objects.exists()
    assert not User.objects.exists()


def test_command_deactivates_missing_people_with_the_option(feed_file):
    path = feed_file(GOOD)
    import_people(path, rejected=1)
    rows = GOOD.splitlines()
    shorter = feed_file("\n".join(rows[:3] + rows[4:]) + "\n", "shorter.csv")

    with pytest.raises(CommandError, match="would deactivate 1 of 3 active employees"):
        import_people(shorter, "--deactivate-missing")
    assert User.objects.filter(is_active=True).count() == 3

    output = import_people(shorter, "--deactivate-missing", "--force", rejected=1)

    assert output.splitlines()[0] == (
        "3 rows: 0 created, 0 updated, 2 unchanged, 1 rejected, 1 deactivated."
    )
    assert not User.objects.get(email="cy@example.org").is_active


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (
            b"employee_id,email,first_name,last_name\n",
            "The file has a header row but no data rows.",
        ),
        (
            "employee_id,email,first_name,last_name\nE1,z@example.org,Zo\xeb,Z\n".encode("cp1252"),
            "The file is not UTF-8 text (undecodable byte 0xEB on row 2). "
            "Save it from your spreadsheet as “CSV UTF-8” and upload it again.",
        ),
        (
            b"\x00\x01\x02\x03binary\xff\xfe",
            "The file is not CSV text (it looks like a spreadsheet or other binary file). "
            "Save it from your spreadsheet as “CSV UTF-8” and upload that.",
        ),
        (
            b"id,mail\n1,a@example.org\n",
            "Missing column(s): employee_id, email, first_name, last_name. "
            "The first row must name the columns; it has: id, mail.",
        ),
    ],
    ids=["empty", "header-only", "cp1252", "binary", "wrong-columns"],
)
def test_command_refuses_an_unusable_file(feed_file, content, message):
    with pytest.raises(CommandError) as raised:
        import_people(feed_file(content))

    assert str(raised.value) == message
    assert not User.objects.exists()
    assert not ImportRun.objects.exists()


def test_command_says_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv: No such file"):
        import_people(tmp_path / "missing.csv")
