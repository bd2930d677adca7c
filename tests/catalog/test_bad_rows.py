"""A row stored before the 2000–2100 rule (or written past it) cannot break the catalog:
the index skips it and says which, every other item still lists (issue 17)."""

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from catalog import index
from catalog.importing import item_import_csv
from tests.catalog.factories import ItemFactory, OfferingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _store(sql: str, pk: int) -> None:
    # Straight to the table, as an old import did: Python cannot even hold these times.
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])


def test_items_and_sessions_with_unreadable_times_are_left_out_and_logged(
    client_as, employee, caplog
):
    good = ItemFactory(title="Hand hygiene", is_published=True)
    far_end = ItemFactory(title="Forever", is_published=True)
    old_start = ItemFactory(title="Ancient", is_published=True)
    late = OfferingFactory(item=ItemFactory(title="Late session", is_published=True))
    _store(
        "UPDATE catalog_item SET publish_end = '10000-01-01 11:59:59+00' WHERE id = %s",
        far_end.pk,
    )
    _store(
        "UPDATE catalog_item SET publish_start = '0001-12-31 10:00:00+00 BC' WHERE id = %s",
        old_start.pk,
    )
    _store(
        "UPDATE catalog_offering SET starts_at = '10000-01-01 04:00:00+00', "
        "ends_at = '10000-01-01 05:00:00+00' WHERE id = %s",
        late.pk,
    )

    with caplog.at_level(logging.ERROR):
        built = index.refresh_index()

    assert built.size == 1
    response = client_as(employee).get(reverse("catalog:list"))
    assert response.status_code == 200
    assert [item.pk for item in response.context["items"]] == [good.pk]
    assert response.context["total"] == 1
    (record,) = [r for r in caplog.records if "outside 2000" in r.getMessage()]
    for pk in (far_end.pk, old_start.pk, late.item_id):
        assert str(pk) in record.getMessage()


def test_the_export_leaves_unreadable_rows_out_and_names_them():
    good = ItemFactory(external_id="GOOD", title="Good")
    bad = ItemFactory(external_id="BAD", title="Bad")
    session = OfferingFactory(item=good, external_id="S-1")
    _store("UPDATE catalog_item SET publish_end = '10000-01-01 00:00:00+00' WHERE id = %s", bad.pk)
    _store(
        "UPDATE catalog_offering SET ends_at = '10000-01-01 00:00:00+00' WHERE id = %s",
        session.pk,
    )
    out, err = io.StringIO(), io.StringIO()

    call_command("export_catalog", stdout=out, stderr=err)

    assert [line.split(",")[0] for line in out.getvalue().splitlines()] == ["external_id", "GOOD"]
    assert f"(ids {bad.pk})" in err.getvalue()
    out, err = io.StringIO(), io.StringIO()
    call_command("export_catalog", "--sessions", stdout=out, stderr=err)
    assert len(out.getvalue().splitlines()) == 1
    assert f"(ids {session.pk})" in err.getvalue()


def test_importing_an_unreadable_row_again_repairs_it():
    bad = ItemFactory(external_id="BAD", title="Bad", summary="S", format="course")
    _store("UPDATE catalog_item SET publish_end = '10000-01-01 00:00:00+00' WHERE id = %s", bad.pk)

    report = item_import_csv(
        data=b"external_id,title,summary,format,publish_end\r\nBAD,Bad,S,course,2027-01-01\r\n"
    )

    assert report.rows[0].action == "update"
    bad.refresh_from_db()
    assert bad.publish_end.year == 2027
