"""Catalog import at scale: bulk writes, batched lookups, the search documents it fills."""

import pytest

from catalog.importing import RowAction, item_import_csv
from catalog.models import Item, Topic
from tests.catalog.factories import ItemFactory, TopicFactory
from tests.catalog.import_helpers import (
    ITEM_HEADER,
    csv_bytes,
)


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
