"""A row stored before the 2000–2100 rule (or written past it) cannot break the catalog:
the index skips it and says which, every other item still lists (issue 17)."""

import logging

import pytest
from django.db import connection
from django.urls import reverse

from catalog import index
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
