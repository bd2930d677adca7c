import csv
import datetime as dt
import io
import zoneinfo

import pytest

from catalog.importing import ITEM_COLUMNS, RowAction, item_import_csv, offering_import_csv, values
from catalog.importing.items import ITEM_NEW_TOPICS, ITEM_UNKNOWN_AUDIENCES, ITEM_UNKNOWN_TOPICS
from catalog.importing.runner import EXTERNAL_ID_DUPLICATE, EXTERNAL_ID_REQUIRED
from catalog.importing.sessions import SESSION_ITEM_CHANGED, SESSION_UNKNOWN_ITEM
from catalog.importing.values import VALUE_CAPACITY, VALUE_CHOICE, VALUE_DATETIME
from catalog.models import Item, Offering, Topic
from learning_portal.core import csvfiles
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")
ITEM_HEADER = ["external_id", "title", "summary", "format"]
SESSION_HEADER = ["external_id", "item_external_id", "starts_at", "ends_at"]


def csv_bytes(header, *rows, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def by_number(report):
    return {row.number: row for row in report.rows}


# Items ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_items_with_every_column():
    TopicFactory(name="Patient safety")
    TopicFactory(name="Leadership")
    audience = AudienceFactory(name="Nurses")
    row = {
        "external_id": "LMS-1",
        "title": "Sepsis essentials",
        "slug": "",
        "summary": "Spot sepsis early.",
        "description": "Long text",
        "format": "E-Learning",
        "delivery": "Self-paced",
        "provider": "Clinical Education",
        "duration_minutes": "45",
        "level": "intermediate",
        "language": "en",
        "topics": "patient safety; Leadership",
        "audiences": "nurses",
        "launch_url": "https://lms.example.org/sepsis",
        "is_published": "yes",
        "publish_start": "2026-07-01 09:00",
        "publish_end": "2026-12-31T17:00:00+00:00",
    }
    # Every column the export writes (a KeyError here: a new column needs a value above).
    data = csv_bytes(ITEM_COLUMNS, [row[column] for column in ITEM_COLUMNS])

    report = item_import_csv(data=data)

    assert [(r.number, r.key, r.action) for r in report.rows] == [(2, "LMS-1", RowAction.CREATE)]
    item = Item.objects.get(external_id="LMS-1")
    assert item.slug == "sepsis-essentials"
    assert item.format == Item.Format.ELEARNING
    assert item.delivery == Item.Delivery.SELF_PACED
    assert item.level == Item.Level.INTERMEDIATE
    assert item.duration_minutes == 45
    assert item.is_published is True
    assert sorted(item.topics.values_list("name", flat=True)) == ["Leadership", "Patient safety"]
    assert list(item.audiences.all()) == [audience]
    # A time without an offset is the portal's local time (British summer time in July).
    assert item.publish_start == dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert item.publish_end == dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)
    # The search fields are refreshed for imported items.
    assert set(item.topic_names.split(", ")) == {"Leadership", "Patient safety"}
    assert report.summary == "Imported: 1 created, 0 updated, 0 unchanged."


@pytest.mark.django_db
def test_import_updates_by_external_id_and_names_the_changed_fields():
    item = ItemFactory(external_id="LMS-7", title="Old title", summary="Same summary")
    data = csv_bytes(ITEM_HEADER, ["LMS-7", "New title", "Same summary", "course"])

    report = item_import_csv(data=data)

    row = report.rows[0]
    assert row.action == RowAction.UPDATE
    assert row.changed == ["title"]
    item.refresh_from_db()
    assert item.title == "New title"
    assert Item.objects.count() == 1
    # The slug, and with it the item's address, stays as it was.
    assert item.slug == "old-title"


@pytest.mark.django_db
def test_import_of_identical_rows_reports_unchanged_and_writes_nothing():
    item = ItemFactory(external_id="LMS-7", title="Same", summary="Same summary")
    history_before = item.history.count()
    data = csv_bytes(ITEM_HEADER, ["LMS-7", "Same", "Same summary", "Course"])

    report = item_import_csv(data=data)

    assert report.rows[0].action == RowAction.UNCHANGED
    assert item.history.count() == history_before


@pytest.mark.django_db
def test_columns_left_out_of_the_file_are_left_alone():
    item = ItemFactory(external_id="LMS-7", provider="Library", duration_minutes=30)
    data = csv_bytes(ITEM_HEADER, ["LMS-7", "Retitled", item.summary, "course"])

    item_import_csv(data=data)

    item.refresh_from_db()
    assert (item.provider, item.duration_minutes) == ("Library", 30)


@pytest.mark.django_db
def test_default_mode_applies_good_rows_and_reports_bad_rows_by_spreadsheet_row_number():
    data = csv_bytes(
        ITEM_HEADER,
        ["GOOD-1", "Good one", "Fine.", "course"],
        ["BAD-1", "Bad one", "Fine.", "webinar"],
        ["GOOD-2", "Good two", "Fine.", "video"],
    )

    report = item_import_csv(data=data)

    rows = by_number(report)
    assert rows[2].action == RowAction.CREATE
    assert rows[4].action == RowAction.CREATE
    assert rows[3].action == RowAction.ERROR
    allowed = ", ".join(f"{value} ({label})" for value, label in Item.Format.choices)
    assert rows[3].errors == ["format: " + VALUE_CHOICE.format(value="webinar", allowed=allowed)]
    assert set(Item.objects.values_list("external_id", flat=True)) == {"GOOD-1", "GOOD-2"}
    assert (
        report.summary == "Imported: 2 created, 0 updated, 0 unchanged, 1 row with errors skipped."
    )


@pytest.mark.django_db
def test_a_row_reports_all_its_problems_at_once():
    data = csv_bytes(
        [*ITEM_HEADER, "is_published", "duration_minutes"],
        ["X-1", "", "Fine.", "course", "perhaps", "1.5"],
    )

    report = item_import_csv(data=data)

    assert report.rows[0].errors == [
        "title: a value is required.",
        "duration_minutes: “1.5” is not a whole number of 0 or more.",
        "is_published: “perhaps” is not yes or no (use true/false, yes/no or 1/0).",
    ]
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_dry_run_reports_what_would_happen_and_changes_nothing():
    existing = ItemFactory(external_id="LMS-1", title="Before")
    data = csv_bytes(
        [*ITEM_HEADER, "topics"],
        ["LMS-1", "After", existing.summary, "course", ""],
        ["LMS-2", "Brand new", "New.", "book", "Brand new topic"],
    )

    report = item_import_csv(data=data, dry_run=True, create_topics=True)

    rows = by_number(report)
    assert rows[2].action == RowAction.UPDATE
    assert rows[3].action == RowAction.CREATE
    assert rows[3].notes == [ITEM_NEW_TOPICS.format(names="Brand new topic")]
    assert not report.applied
    assert report.summary == (
        "Preview only, nothing was changed: 1 to create, 1 to update, 0 unchanged, "
        "0 rows with errors."
    )
    existing.refresh_from_db()
    assert existing.title == "Before"
    assert list(Item.objects.all()) == [existing]
    assert not Topic.objects.filter(name="Brand new topic").exists()


@pytest.mark.django_db
def test_atomic_mode_applies_nothing_when_any_row_fails():
    data = csv_bytes(
        ITEM_HEADER,
        ["GOOD-1", "Good one", "Fine.", "course"],
        ["BAD-1", "Bad one", "", "course"],
    )

    report = item_import_csv(data=data, atomic=True)

    assert not Item.objects.exists()
    assert by_number(report)[3].errors == ["summary: a value is required."]
    assert report.summary == (
        "Nothing was changed because some rows have errors (all or nothing): 1 to create, "
        "0 to update, 0 unchanged, 1 row with errors."
    )


@pytest.mark.django_db
def test_atomic_mode_applies_every_row_when_all_are_good():
    data = csv_bytes(
        ITEM_HEADER, ["A-1", "One", "Fine.", "course"], ["A-2", "Two", "Fine.", "course"]
    )

    report = item_import_csv(data=data, atomic=True)

    assert report.applied
    assert Item.objects.count() == 2


@pytest.mark.django_db
def test_duplicate_external_ids_in_the_file_reject_every_copy():
    data = csv_bytes(
        ITEM_HEADER,
        ["DUP", "First", "Fine.", "course"],
        ["OK", "Other", "Fine.", "course"],
        ["DUP", "Second", "Fine.", "course"],
    )

    report = item_import_csv(data=data)

    message = EXTERNAL_ID_DUPLICATE.format(external_id="DUP", rows="2, 4")
    assert message == "external_id: “DUP” appears more than once in the file (rows 2, 4)."
    rows = by_number(report)
    assert rows[2].errors == [message]
    assert rows[4].errors == [message]
    assert list(Item.objects.values_list("external_id", flat=True)) == ["OK"]


@pytest.mark.django_db
def test_a_row_without_external_id_is_refused():
    report = item_import_csv(data=csv_bytes(ITEM_HEADER, ["", "Title", "Fine.", "course"]))

    assert report.rows[0].errors == [EXTERNAL_ID_REQUIRED]
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_unknown_topics_are_an_error_unless_asked_to_create_them():
    TopicFactory(name="Known")
    data = csv_bytes([*ITEM_HEADER, "topics"], ["T-1", "Title", "Fine.", "course", "Known; Nw"])

    refused = item_import_csv(data=data)

    assert refused.rows[0].errors == [ITEM_UNKNOWN_TOPICS.format(names="Nw")]
    assert not Item.objects.exists()

    created = item_import_csv(data=data, create_topics=True)

    assert created.rows[0].action == RowAction.CREATE
    assert created.rows[0].notes == ["New topic(s): Nw."]
    topic = Topic.objects.get(name="Nw")
    assert topic.slug == "nw"
    assert set(Item.objects.get().topics.all()) == {Topic.objects.get(name="Known"), topic}


@pytest.mark.django_db
def test_a_topic_created_by_a_row_that_then_fails_is_not_kept():
    AudienceFactory(name="Porters")
    data = csv_bytes(
        [*ITEM_HEADER, "topics", "audiences"],
        ["T-1", "Title", "Fine.", "course", "Fresh topic", "Ghosts"],
    )

    report = item_import_csv(data=data, create_topics=True)

    assert report.rows[0].errors == [ITEM_UNKNOWN_AUDIENCES.format(names="Ghosts")]
    assert not Topic.objects.filter(name="Fresh topic").exists()


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
def test_a_row_with_too_few_cells_is_an_error_naming_the_counts():
    data = b"external_id,title,summary,format\r\nA-1,Title,Fine.,course\r\nA-2,Title\r\n"

    report = item_import_csv(data=data)

    assert by_number(report)[3].errors == [
        csvfiles.ROW_WRONG_LENGTH.format(count=2, expected=4) + csvfiles.ROW_WRONG_LENGTH_HINT
    ]
    assert by_number(report)[2].action == RowAction.CREATE


# Whole files that cannot be imported ------------------------------------------------------------


@pytest.mark.django_db
def test_missing_columns_are_named_and_nothing_is_imported():
    data = csv_bytes(["external_id", "title"], ["A-1", "Title"])

    report = item_import_csv(data=data)

    assert (
        report.file_error
        == "Missing column(s): summary, format. The first row must name the columns; "
        "it has: external_id, title."
    )
    assert report.rows == []
    assert not Item.objects.exists()


@pytest.mark.django_db
def test_unknown_columns_are_named():
    report = item_import_csv(
        data=csv_bytes([*ITEM_HEADER, "colour"], ["A", "T", "S", "course", "red"])
    )

    assert report.file_error.startswith("Unknown column(s): colour. Allowed columns: external_id,")


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_the_row_of_the_first_bad_byte():
    data = csv_bytes(
        ITEM_HEADER,
        ["A-1", "Title", "Fine.", "course"],
        ["A-2", "Café", "x", "book"],
        encoding="cp1252",
    )

    report = item_import_csv(data=data)

    assert report.file_error == csvfiles.FILE_NOT_UTF8.format(byte=0xE9, row=3)
    assert "Save it from your spreadsheet as “CSV UTF-8”" in report.file_error
    assert not Item.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", csvfiles.FILE_EMPTY),
        (b" \r\n\r\n", csvfiles.FILE_EMPTY),
        (b"external_id,title,summary,format\r\n", csvfiles.FILE_NO_ROWS),
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", csvfiles.FILE_BINARY),
        (b"\xff\xfee\x00x\x00", csvfiles.FILE_UTF16),
    ],
    ids=["empty", "blank-lines", "header-only", "xlsx", "utf16"],
)
def test_files_that_cannot_be_read_get_a_clear_message(data, message):
    report = item_import_csv(data=data)

    assert report.file_error == message
    assert report.summary == f"Nothing was imported. {message}"
    assert not Item.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("external_id,title,summary,format,Title", "Column(s) named more than once: title."),
        (
            "external_id,,title,summary,format",
            "The header row has a column without a name (column 2).",
        ),
    ],
)
def test_header_problems_are_named(header, message):
    report = item_import_csv(data=f"{header}\r\nA,,T,S,course\r\n".encode())

    assert report.file_error == message


@pytest.mark.django_db
def test_empty_cells_after_the_last_column_are_ignored():
    data = b"external_id,title,summary,format,,\r\nA-1,Title,Fine.,course,,\r\n"

    report = item_import_csv(data=data)

    assert report.rows[0].action == RowAction.CREATE


@pytest.mark.django_db
def test_a_text_file_that_is_not_the_catalog_csv_is_refused_by_its_header():
    report = item_import_csv(data=b"Dear colleagues,\nplease find attached...\n")

    assert report.file_error.startswith("Missing column(s): external_id, title, summary, format.")


@pytest.mark.django_db
def test_excel_style_files_are_read_semicolons_bom_and_loose_header_names():
    data = "\ufeffExternal ID;Title;Summary;Format\r\nX-1;Title;Uses; and commas, fine;Video\r\n"
    data = data.replace("Uses; and commas, fine", '"Uses; and commas, fine"')

    report = item_import_csv(data=data.encode())

    assert report.rows[0].action == RowAction.CREATE
    assert Item.objects.get(external_id="X-1").summary == "Uses; and commas, fine"


@pytest.mark.django_db
def test_blank_rows_are_skipped_but_keep_their_row_numbers():
    data = b"external_id,title,summary,format\r\n,,,\r\nA-1,Title,Fine.,nope\r\n"

    report = item_import_csv(data=data)

    assert [row.number for row in report.rows] == [3]


# Sessions -----------------------------------------------------------------------------------------


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


@pytest.mark.postgres
@pytest.mark.django_db
def test_import_fills_the_postgres_search_vector():
    data = csv_bytes(ITEM_HEADER, ["P-1", "Venepuncture refresher", "Fine.", "course"])

    item_import_csv(data=data)

    assert Item.objects.get(external_id="P-1").search_document.vector is not None


@pytest.mark.django_db
def test_existing_items_are_found_when_looked_up_in_several_batches(monkeypatch):
    monkeypatch.setattr("catalog.importing.runner.ID_BATCH_SIZE", 2)
    items = [ItemFactory(external_id=f"B-{n}") for n in range(5)]
    data = csv_bytes(
        ITEM_HEADER,
        *([item.external_id, item.title, item.summary, item.format] for item in items),
    )

    report = item_import_csv(data=data)

    assert [row.action for row in report.rows] == [RowAction.UNCHANGED] * 5


# Malformed files (issue 17) and the bulk write (issue 15) -----------------------------------


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


@pytest.mark.django_db
@pytest.mark.parametrize("atomic", [False, True])
def test_a_nul_byte_after_8_kb_rejects_its_row_and_keeps_the_others(atomic):
    rows = [[f"A-{n}", f"Title {n}", "x" * 100, "course"] for n in range(120)]
    rows[100][1] = "Bad\x00title"
    data = csv_bytes(ITEM_HEADER, *rows)
    assert data.index(b"\x00") > 8192

    report = item_import_csv(data=data, atomic=atomic)

    assert [row.number for row in report.rows if row.errors] == [102]
    assert by_number(report)[102].errors == [
        csvfiles.ROW_CONTROL_CHARACTER.format(column="title", byte=0, position=4)
    ]
    assert Item.objects.count() == (0 if atomic else 119)


@pytest.mark.django_db
def test_an_unclosed_quote_reports_the_rows_it_swallowed():
    data = (
        b"external_id,title,summary,format\r\n"
        b"A-1,First,S,course\r\n"
        b'A-2,"Second,S,course\r\n'
        b"A-3,Third,S,course\r\n"
        b"A-4,Fourth,S,course\r\n"
    )

    report = item_import_csv(data=data)

    assert [(row.number, row.action) for row in report.rows] == [
        (2, RowAction.CREATE),
        (3, RowAction.ERROR),
    ]
    assert report.rows[1].errors == [csvfiles.ROW_UNCLOSED_QUOTE.format(first=3, last=5)]
    assert list(Item.objects.values_list("external_id", flat=True)) == ["A-1"]


@pytest.mark.django_db
def test_a_quote_closed_rows_later_is_caught_by_the_line_break_it_swallowed():
    data = (
        b"external_id,title,summary,format\r\n"
        b'A-1,"First,S,course\r\n'
        b'A-2,Second",S,course\r\n'
        b"A-3,Third,S,course\r\n"
    )

    report = item_import_csv(data=data)

    assert report.rows[0].errors == [
        csvfiles.ROW_LINE_BREAK.format(column="title")
        + csvfiles.ROW_SPANS_LINES.format(first=2, last=3)
    ]
    assert list(Item.objects.values_list("external_id", flat=True)) == ["A-3"]


@pytest.mark.django_db
def test_a_large_import_writes_in_bulk_not_per_row(django_assert_max_num_queries):
    TopicFactory(name="Safety")
    existing = [ItemFactory(external_id=f"OLD-{n}") for n in range(150)]
    rows = [
        [item.external_id, item.title + " (new)", item.summary, "course", "Safety"]
        for item in existing
    ]
    rows += [[f"NEW-{n}", f"New item {n}", "S", "book", "Safety; Brand new"] for n in range(150)]
    data = csv_bytes([*ITEM_HEADER, "topics"], *rows)

    with django_assert_max_num_queries(40):
        report = item_import_csv(data=data, create_topics=True)

    assert (report.created, report.updated, report.error_count) == (150, 150, 0)
    assert Item.objects.filter(title__endswith="(new)").count() == 150
    assert Item.objects.filter(topics__name="Brand new").count() == 150
    assert Topic.objects.filter(name="Brand new").count() == 1
    new = Item.objects.get(external_id="NEW-7")
    assert new.history.get().history_change_reason == "CSV import"
    assert set(new.topics.values_list("name", flat=True)) == {"Safety", "Brand new"}
    assert "Brand new" in new.topic_names


@pytest.mark.django_db
def test_the_preview_reports_the_same_rows_as_applying(django_assert_max_num_queries):
    ItemFactory(external_id="A-1", slug="taken")
    data = csv_bytes(
        [*ITEM_HEADER, "slug"],
        ["A-2", "Two", "S", "course", "taken"],
        ["A-3", "Three", "S", "course", "free"],
        ["A-4", "Four", "S", "course", "free"],
        ["A-1", "One", "S", "nonsense", ""],
    )

    preview = item_import_csv(data=data, dry_run=True)
    applied = item_import_csv(data=data)

    def rows(report):
        return [(r.number, r.action, r.errors) for r in report.rows]

    assert [(n, a) for n, a, _errors in rows(preview)] == [
        (2, RowAction.ERROR),
        (3, RowAction.CREATE),
        (4, RowAction.ERROR),
        (5, RowAction.ERROR),
    ]
    assert [e for _n, _a, e in rows(preview)] == [e for _n, _a, e in rows(applied)]
    assert [(n, a) for n, a, _e in rows(applied)] == [(n, a) for n, a, _e in rows(preview)]
    assert set(Item.objects.values_list("external_id", flat=True)) == {"A-1", "A-3"}
