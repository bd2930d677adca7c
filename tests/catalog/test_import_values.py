"""Catalog import of items: each cell's value checked, with the message a person can act on."""

import datetime as dt

import pytest

from catalog.importing import item_import_csv, offering_import_csv, values
from catalog.importing.values import VALUE_CAPACITY, VALUE_DATETIME
from catalog.models import Item
from tests.catalog.factories import ItemFactory
from tests.catalog.import_helpers import (
    ITEM_HEADER,
    SESSION_HEADER,
    by_number,
    csv_bytes,
)


@pytest.mark.django_db
def test_publish_window_must_end_after_it_starts():
    data = csv_bytes(
        [*ITEM_HEADER, "publish_start", "publish_end"],
        ["W-1", "Title", "Fine.", "course", "2026-05-02", "2026-05-01"],
    )

    report = item_import_csv(data=data)

    assert report.rows[0].errors == ["publish_end: The window must end after it starts."]
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_bad_dates_are_reported_with_the_expected_formats():
    data = csv_bytes(
        [*ITEM_HEADER, "publish_start"], ["D-1", "Title", "Fine.", "course", "31/12/2026 09:00"]
    )

    report = item_import_csv(data=data)

    assert report.rows[0].errors == [
        "publish_start: " + VALUE_DATETIME.format(value="31/12/2026 09:00")
    ]


@pytest.mark.django_db
def test_a_timezone_column_sets_the_zone_of_naive_publish_times():
    data = csv_bytes(
        [*ITEM_HEADER, "publish_start", "timezone"],
        ["Z-1", "Title", "Fine.", "course", "2026-01-10 09:00", "America/New_York"],
        ["Z-2", "Title 2", "Fine.", "course", "2026-01-10 09:00", "Mars/Olympus"],
    )

    report = item_import_csv(data=data)

    item = Item.objects.get(external_id="Z-1")
    assert item.publish_start == dt.datetime(2026, 1, 10, 14, 0, tzinfo=dt.UTC)
    assert by_number(report)[3].errors == [
        "timezone: “Mars/Olympus” is not a known time zone (such as Europe/London)."
    ]


@pytest.mark.django_db
def test_a_derived_slug_never_collides_with_another_item():
    ItemFactory(title="Hand hygiene", slug="hand-hygiene")

    item_import_csv(data=csv_bytes(ITEM_HEADER, ["H-1", "Hand hygiene", "Fine.", "video"]))

    assert Item.objects.get(external_id="H-1").slug == "hand-hygiene-2"


@pytest.mark.django_db
def test_a_given_slug_taken_by_another_item_is_a_row_error():
    ItemFactory(slug="taken")
    data = csv_bytes([*ITEM_HEADER, "slug"], ["S-1", "Title", "Fine.", "course", "taken"])

    report = item_import_csv(data=data)

    assert report.rows[0].errors == ["slug: Item with this Slug already exists."]


@pytest.mark.django_db
def test_model_validation_messages_are_reported_per_column():
    data = csv_bytes(
        [*ITEM_HEADER, "launch_url"], ["V-1", "T" * 201, "Fine.", "course", "not a url"]
    )

    report = item_import_csv(data=data)

    assert report.rows[0].errors == [
        "title: Ensure this value has at most 200 characters (it has 201).",
        "launch_url: Enter a valid URL.",
    ]
    assert not Item.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("publish_end", "9999-12-31T23:59:59-12:00"),
        ("publish_start", "0001-01-01T00:00:00+14:00"),
        ("publish_end", "2101-01-01"),
        ("publish_start", "1999-12-31 23:00"),
    ],
)
def test_a_publish_time_outside_2000_to_2100_is_a_row_error(column, value):
    data = csv_bytes([*ITEM_HEADER, column], ["A-1", "T", "S", "course", value])

    report = item_import_csv(data=data)

    assert report.rows[0].errors == [
        f"{column}: " + values.VALUE_DATETIME_RANGE.format(value=value)
    ]
    assert not Item.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["²", "٣", "1.5", "-3"])
def test_a_duration_that_is_not_a_plain_whole_number_says_so(value):
    data = csv_bytes([*ITEM_HEADER, "duration_minutes"], ["A-1", "T", "S", "course", value])

    report = item_import_csv(data=data)

    assert report.rows[0].errors == [
        "duration_minutes: " + values.VALUE_WHOLE_NUMBER.format(value=value)
    ]


@pytest.mark.django_db
def test_a_capacity_of_a_superscript_digit_says_so():
    ItemFactory(external_id="ITEM-1")
    data = csv_bytes(
        [*SESSION_HEADER, "capacity"],
        ["S-1", "ITEM-1", "2026-05-01 09:00", "2026-05-01 10:00", "²"],
    )

    report = offering_import_csv(data=data)

    assert report.rows[0].errors == ["capacity: " + VALUE_CAPACITY.format(value="²")]
