import csv
import datetime as dt
import io

import pytest

from catalog.exporting import item_csv_export, offering_csv_export
from catalog.importing import (
    ITEM_COLUMNS,
    SESSION_COLUMNS,
    RowAction,
    item_import_csv,
    offering_import_csv,
)
from catalog.models import Item
from learning_portal.core.csvfiles import escape_formula, unescape_formula
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory


def export_items() -> str:
    out = io.StringIO()
    item_csv_export(out=out)
    return out.getvalue()


def export_sessions() -> str:
    out = io.StringIO()
    offering_csv_export(out=out)
    return out.getvalue()


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_items_export_uses_the_import_columns_and_semicolon_lists():
    ItemFactory(
        external_id="LMS-1",
        title="Sepsis essentials",
        duration_minutes=None,
        topics=[TopicFactory(name="Sepsis"), TopicFactory(name="Acute care")],
        audiences=[AudienceFactory(name="Nurses")],
        publish_start=dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC),
    )

    text = export_items()

    assert text.splitlines()[0] == ",".join(ITEM_COLUMNS)
    (row,) = rows_of(text)
    assert row["external_id"] == "LMS-1"
    assert row["topics"] == "Acute care; Sepsis"
    assert row["audiences"] == "Nurses"
    assert row["duration_minutes"] == ""
    assert row["is_published"] == "true"
    # Local portal time with its offset: readable, and exact when read back.
    assert row["publish_start"] == "2026-07-01T09:00:00+01:00"
    assert row["publish_end"] == ""


@pytest.mark.django_db
def test_export_escapes_cells_a_spreadsheet_would_run_as_formulas():
    ItemFactory(
        external_id="X-1",
        title='=HYPERLINK("https://evil.example","Click")',
        summary="+1 for safety",
        provider="@provider",
        description="-2 minus",
    )

    (row,) = rows_of(export_items())

    assert row["title"] == '\'=HYPERLINK("https://evil.example","Click")'
    assert row["summary"] == "'+1 for safety"
    assert row["provider"] == "'@provider"
    assert row["description"] == "'-2 minus"
    assert row["external_id"] == "X-1"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plain title", "Plain title"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_escaping_and_its_inverse(value, escaped):
    assert escape_formula(value) == escaped
    assert unescape_formula(escaped) == value


@pytest.mark.django_db
def test_sessions_export_writes_times_in_the_sessions_own_zone():
    OfferingFactory(
        external_id="S-1",
        item__external_id="ITEM-1",
        starts_at=dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC),
        timezone="Europe/Berlin",
        capacity=None,
    )

    text = export_sessions()

    assert text.splitlines()[0] == ",".join(SESSION_COLUMNS)
    (row,) = rows_of(text)
    assert row["item_external_id"] == "ITEM-1"
    assert row["starts_at"] == "2026-12-07T09:00:00+01:00"
    assert row["ends_at"] == "2026-12-07T11:00:00+01:00"
    assert row["timezone"] == "Europe/Berlin"
    assert row["capacity"] == ""


@pytest.mark.django_db
def test_export_then_import_changes_nothing():
    topic = TopicFactory(name="Leadership")
    audience = AudienceFactory(name="Managers")
    item = ItemFactory(
        external_id="LMS-1",
        title='=HYPERLINK("https://evil.example")',
        description="Line one\nLine two, with a comma",
        topics=[topic],
        audiences=[audience],
        is_published=False,
        publish_start=dt.datetime(2026, 3, 29, 0, 30, 15, 250, tzinfo=dt.UTC),
        publish_end=dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC),
    )
    ItemFactory(external_id="LMS-2", delivery=Item.Delivery.SCHEDULED, duration_minutes=None)
    OfferingFactory(external_id="S-1", item=item, timezone="America/New_York")
    OfferingFactory(external_id="S-2", item=item, capacity=None, location="")
    history_before = item.history.count()

    items_report = item_import_csv(data=export_items().encode())
    sessions_report = offering_import_csv(data=export_sessions().encode())

    assert items_report.file_error is None
    assert [row.action for row in items_report.rows] == [RowAction.UNCHANGED] * 2
    assert [row.action for row in sessions_report.rows] == [RowAction.UNCHANGED] * 2
    assert item.history.count() == history_before


@pytest.mark.django_db
def test_an_empty_catalog_exports_just_the_header():
    assert export_items() == ",".join(ITEM_COLUMNS) + "\r\n"
    assert export_sessions() == ",".join(SESSION_COLUMNS) + "\r\n"
