import datetime as dt

import pytest

from catalog.importing import ITEM_COLUMNS, RowAction, item_import_csv
from catalog.importing.items import ITEM_NEW_TOPICS, ITEM_UNKNOWN_AUDIENCES, ITEM_UNKNOWN_TOPICS
from catalog.importing.runner import EXTERNAL_ID_DUPLICATE, EXTERNAL_ID_REQUIRED
from catalog.importing.values import VALUE_CHOICE
from catalog.models import Item, Topic
from tests.catalog.factories import AudienceFactory, ItemFactory, TopicFactory
from tests.catalog.import_helpers import (
    ITEM_HEADER,
    by_number,
    csv_bytes,
)

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
