"""Catalog import of sessions (sessions.csv): times in their zone, moves, refused rows."""

import datetime as dt

import pytest

from catalog.importing import RowAction, offering_import_csv, values
from catalog.importing.sessions import SESSION_ITEM_CHANGED, SESSION_UNKNOWN_ITEM
from catalog.importing.values import VALUE_CAPACITY, VALUE_DATETIME
from catalog.models import Item, Offering
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.catalog.import_helpers import (
    SESSION_HEADER,
    by_number,
    csv_bytes,
)


@pytest.mark.django_db
def test_import_sessions_creates_offerings_in_their_time_zone():
    item = ItemFactory(external_id="ITEM-1", delivery=Item.Delivery.SCHEDULED)
    data = csv_bytes(
        [*SESSION_HEADER, "title", "timezone", "location", "online_url", "capacity"],
        [
            "S-1",
            "ITEM-1",
            "2026-12-07 09:00",
            "2026-12-07 11:30",
            "Cohort 1",
            "Europe/Berlin",
            "Room 2",
            "https://meet.example.org/1",
            "12",
        ],
        ["S-2", "ITEM-1", "2026-12-08T09:00:00+00:00", "2026-12-08T10:00:00+00:00", *[""] * 5],
    )

    report = offering_import_csv(data=data)

    assert [row.action for row in report.rows] == [RowAction.CREATE, RowAction.CREATE]
    first = Offering.objects.get(external_id="S-1")
    assert first.item == item
    assert first.starts_at == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    assert first.timezone == "Europe/Berlin"
    assert (first.title, first.location, first.capacity) == ("Cohort 1", "Room 2", 12)
    second = Offering.objects.get(external_id="S-2")
    assert second.timezone == "Europe/London"
    assert second.capacity is None


@pytest.mark.django_db
def test_a_session_for_an_unknown_item_is_refused():
    data = csv_bytes(SESSION_HEADER, ["S-1", "NOPE", "2026-12-07 09:00", "2026-12-07 10:00"])

    report = offering_import_csv(data=data)

    assert report.rows[0].errors == [SESSION_UNKNOWN_ITEM.format(value="NOPE")]
    assert report.rows[0].errors == [
        "item_external_id: no item has the external ID “NOPE”; import the items first."
    ]
    assert not Offering.objects.exists()


@pytest.mark.django_db
def test_a_session_that_ends_before_it_starts_is_refused():
    ItemFactory(external_id="ITEM-1")
    data = csv_bytes(SESSION_HEADER, ["S-1", "ITEM-1", "2026-12-07 09:00", "2026-12-07 08:00"])

    report = offering_import_csv(data=data)

    assert report.rows[0].errors == ["ends_at: A session must end after it starts."]
    assert not Offering.objects.exists()


@pytest.mark.django_db
def test_session_row_errors_cover_dates_capacity_and_enrollment_window():
    ItemFactory(external_id="ITEM-1")
    data = csv_bytes(
        [*SESSION_HEADER, "capacity", "enrollment_opens_at", "enrollment_closes_at"],
        ["S-1", "ITEM-1", "2026-12-07", "", "0", "", ""],
        [
            "S-2",
            "ITEM-1",
            "2026-12-07 09:00",
            "2026-12-07 10:00",
            "5",
            "2026-12-01 09:00",
            "2026-11-01 09:00",
        ],
    )

    report = offering_import_csv(data=data)

    rows = by_number(report)
    assert rows[2].errors == [
        "capacity: " + VALUE_CAPACITY.format(value="0"),
        "starts_at: " + VALUE_DATETIME.format(value="2026-12-07"),
        "ends_at: a value is required.",
    ]
    assert rows[3].errors == ["enrollment_closes_at: Enrollment must close after it opens."]
    assert not Offering.objects.exists()


@pytest.mark.django_db
def test_moving_a_session_in_time_updates_it_and_enrollment_bumps_its_calendar_sequence():
    offering = OfferingFactory(
        external_id="S-1",
        item__external_id="ITEM-1",
        starts_at=dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC),
        timezone="UTC",
    )
    data = csv_bytes(SESSION_HEADER, ["S-1", "ITEM-1", "2026-12-07 10:00", "2026-12-07 11:00"])

    report = offering_import_csv(data=data)

    assert report.rows[0].action == RowAction.UPDATE
    assert report.rows[0].changed == ["starts_at", "ends_at"]
    offering.refresh_from_db()
    assert offering.starts_at == dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    assert offering.sequence == 1


@pytest.mark.django_db
def test_a_seat_change_does_not_bump_the_calendar_sequence():
    offering = OfferingFactory(external_id="S-1", item__external_id="ITEM-1", capacity=10)
    starts = offering.local_starts_at.isoformat()
    ends = offering.local_ends_at.isoformat()
    data = csv_bytes([*SESSION_HEADER, "capacity"], ["S-1", "ITEM-1", starts, ends, "25"])

    report = offering_import_csv(data=data)

    assert report.rows[0].changed == ["capacity"]
    offering.refresh_from_db()
    assert (offering.capacity, offering.sequence) == (25, 0)


@pytest.mark.django_db
def test_a_session_cannot_move_to_another_item():
    OfferingFactory(external_id="S-1", item__external_id="ITEM-1")
    ItemFactory(external_id="ITEM-2")
    data = csv_bytes(SESSION_HEADER, ["S-1", "ITEM-2", "2026-12-07 09:00", "2026-12-07 10:00"])

    report = offering_import_csv(data=data)

    assert report.rows[0].errors == [SESSION_ITEM_CHANGED.format(current="ITEM-1")]
    assert Offering.objects.get().item.external_id == "ITEM-1"


@pytest.mark.django_db
def test_session_dry_run_changes_nothing():
    ItemFactory(external_id="ITEM-1")
    data = csv_bytes(SESSION_HEADER, ["S-1", "ITEM-1", "2026-12-07 09:00", "2026-12-07 10:00"])

    report = offering_import_csv(data=data, dry_run=True)

    assert report.rows[0].action == RowAction.CREATE
    assert not Offering.objects.exists()


@pytest.mark.django_db
def test_a_session_time_outside_the_range_in_its_zone_is_a_row_error():
    ItemFactory(external_id="ITEM-1")
    data = csv_bytes(
        [*SESSION_HEADER, "timezone"],
        ["S-1", "ITEM-1", "9999-12-31 20:00", "9999-12-31 21:00", "America/Los_Angeles"],
        ["S-2", "ITEM-1", "2026-05-01 09:00", "2026-05-01 10:00", "America/Los_Angeles"],
    )

    report = offering_import_csv(data=data)

    assert by_number(report)[2].errors == [
        "starts_at: " + values.VALUE_DATETIME_RANGE.format(value="9999-12-31 20:00"),
        "ends_at: " + values.VALUE_DATETIME_RANGE.format(value="9999-12-31 21:00"),
    ]
    assert list(Offering.objects.values_list("external_id", flat=True)) == ["S-2"]
