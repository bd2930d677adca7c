"""The malformed-file corpus (tests/core/corpus): every file gets its expected report in every
import mode, and a rejected row never writes (issue 17)."""

import json
from pathlib import Path

import pytest

from catalog.importing import item_import_csv, offering_import_csv
from catalog.models import Item, Offering
from people.models import Employee
from people.services import people_import
from tests.catalog.factories import ItemFactory
from tests.core.corpus import make_corpus
from tests.people.factories import EmployeeFactory

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
# The HR import has no all-or-nothing mode: a bad row never stops the good ones.
MODES = {"items": ("plain", "dry_run", "atomic"), "sessions": ("plain", "dry_run", "atomic")}
MODES["people"] = ("plain", "dry_run")
CASES = [(name, mode) for name, case in EXPECTED.items() for mode in MODES[case["importer"]]]


def test_the_corpus_on_disk_is_what_the_script_writes():
    on_disk = {path.name: path.read_bytes() for path in (CORPUS / "files").glob("*.csv")}

    assert on_disk == make_corpus.files()
    assert make_corpus.expected() == EXPECTED
    assert all(len(data) < 16_384 for data in on_disk.values())


def _run(importer: str, data: bytes, mode: str):
    if importer == "people":
        return people_import(file=data, dry_run=mode == "dry_run")
    function = item_import_csv if importer == "items" else offering_import_csv
    return function(data=data, dry_run=mode == "dry_run", atomic=mode == "atomic")


def _state():
    return (
        sorted(Item.objects.values_list("external_id", "title", "publish_start", "publish_end")),
        sorted(Offering.objects.values_list("external_id", "starts_at", "capacity")),
        sorted(
            Employee.objects.values_list(
                "employee_id", "user__email", "user__last_name", "job_title", "is_manager"
            )
        ),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "mode"), CASES)
def test_each_malformed_file_gets_its_expected_report(name, mode):
    case = EXPECTED[name]
    ItemFactory(external_id="ITEM-1", title="Existing item")
    EmployeeFactory(
        employee_id="E9", user__email="kept@example.org", job_title="Ward sister", is_manager=True
    )
    before = _state()

    report = _run(case["importer"], (CORPUS / "files" / f"{name}.csv").read_bytes(), mode)

    if case["file_error"]:
        assert report.file_error == case["file_error"]
        assert report.rows == []
        assert _state() == before
        return
    assert {
        str(row.number): row.errors if row.errors else row.action.value for row in report.rows
    } == case["rows"]
    rejected = any(isinstance(outcome, list) for outcome in case["rows"].values())
    if mode == "dry_run" or (mode == "atomic" and rejected):
        assert _state() == before
        return
    created = {row.key for row in report.rows if row.action == "create"}
    model = {"items": Item, "sessions": Offering, "people": Employee}[case["importer"]]
    key = "employee_id" if case["importer"] == "people" else "external_id"
    before_keys = {
        "items": {"ITEM-1"},
        "sessions": set(),
        "people": {"E9"},
    }[case["importer"]]
    # Exactly the good rows were written; the rows before them are as they were.
    assert set(model.objects.values_list(key, flat=True)) == before_keys | created
    assert Employee.objects.get(employee_id="E9").job_title == "Ward sister"
    assert Item.objects.get(external_id="ITEM-1").title == "Existing item"
