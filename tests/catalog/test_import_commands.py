import csv
import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Item, Offering, Topic
from tests.catalog.factories import ItemFactory

ITEMS = (
    "external_id,title,summary,format,topics\r\n"
    "A-1,Hand hygiene,Five moments.,course,Infection control\r\n"
    "A-2,Bad format,Fine.,webinar,\r\n"
)
SESSIONS = (
    "external_id,item_external_id,starts_at,ends_at\nS-1,ITEM-1,2026-12-07 09:00,2026-12-07 10:00\n"
)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def items_file(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text(ITEMS, encoding="utf-8")
    return path


@pytest.fixture
def sessions_file(tmp_path):
    """A sessions file with one session of the item ITEM-1, which the fixture creates."""
    ItemFactory(external_id="ITEM-1")
    path = tmp_path / "sessions.csv"
    path.write_text(SESSIONS, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_import_command_dry_run_prints_each_row_and_fails_on_errors(items_file):
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 row had errors\.$"):
        call_command(
            "import_catalog", "items", str(items_file), "--dry-run", "--create-topics", stdout=out
        )

    lines = out.getvalue().splitlines()
    assert lines[0] == "Row 2 A-1: would create New topic(s): Infection control."
    assert lines[1] == "Row 3 A-2: error"
    assert lines[2].startswith("    format: “webinar” is not one of: course (Course),")
    assert lines[3] == (
        "Preview only, nothing was changed: 1 to create, 0 to update, 0 unchanged, "
        "1 row with errors."
    )
    assert not Item.objects.exists()
    assert not Topic.objects.exists()


@pytest.mark.django_db
def test_import_command_applies_good_rows(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("external_id,title,summary,format\nA-1,One,Fine.,video\n", encoding="utf-8")

    output = run("import_catalog", "items", str(path))

    assert output.splitlines() == [
        "Row 2 A-1: created",
        "Imported: 1 created, 0 updated, 0 unchanged.",
    ]
    assert Item.objects.get().external_id == "A-1"


@pytest.mark.django_db
def test_import_command_atomic_applies_nothing_on_errors(items_file):
    with pytest.raises(CommandError):
        run("import_catalog", "items", str(items_file), "--atomic", "--create-topics")

    assert not Item.objects.exists()


@pytest.mark.django_db
def test_import_command_refuses_a_bad_file_with_the_reason(tmp_path):
    path = tmp_path / "items.csv"
    path.write_bytes("external_id,title\nA-1,Café\n".encode("latin-1"))

    with pytest.raises(CommandError, match=r"^Nothing was imported\. The file is not UTF-8"):
        run("import_catalog", "items", str(path))


@pytest.mark.django_db
def test_import_command_reports_an_unreadable_path(tmp_path):
    with pytest.raises(CommandError, match=r"^Cannot read .*missing\.csv: No such file"):
        run("import_catalog", "items", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_create_topics_is_refused_for_sessions(tmp_path):
    with pytest.raises(CommandError, match="--create-topics applies to items only."):
        run("import_catalog", "sessions", str(tmp_path / "s.csv"), "--create-topics")


@pytest.mark.django_db
def test_import_command_loads_sessions_for_imported_items(sessions_file):
    output = run("import_catalog", "sessions", str(sessions_file))

    assert output.splitlines()[0] == "Row 2 S-1: created"
    assert Offering.objects.get().item.external_id == "ITEM-1"


@pytest.mark.django_db
def test_export_command_writes_items_to_stdout_escaped():
    ItemFactory(external_id="A-1", title="=cmd()")

    rows = list(csv.DictReader(io.StringIO(run("export_catalog"))))

    assert [(row["external_id"], row["title"]) for row in rows] == [("A-1", "'=cmd()")]


@pytest.mark.django_db
def test_export_command_writes_sessions_to_a_file_that_imports_back_unchanged(
    tmp_path, sessions_file
):
    run("import_catalog", "sessions", str(sessions_file))
    exported = tmp_path / "export.csv"

    output = run("export_catalog", "--sessions", "--output", str(exported))

    assert output == f"Exported 1 session to {exported}.\n"
    assert exported.read_bytes().startswith(b"\xef\xbb\xbfexternal_id,item_external_id,")
    assert run("import_catalog", "sessions", str(exported)).splitlines()[0] == (
        "Row 2 S-1: unchanged"
    )
