"""The catalog's list and search selectors: sessions ahead, restriction, visibility before
matching, the FilterSet's conditions."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone

from catalog.filters import ItemFilterSet
from catalog.models import Item, Offering
from catalog.selectors import (
    item_catalog_search,
    item_get_visible_to,
    item_list_for_catalog,
)
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory
from tests.people.factories import EmployeeFactory


@pytest.mark.django_db
def test_detail_selector_lists_only_future_scheduled_sessions():
    item = ItemFactory(delivery=Item.Delivery.SCHEDULED)
    now = timezone.now()
    later = OfferingFactory(item=item, starts_at=now + dt.timedelta(days=20))
    sooner = OfferingFactory(item=item, starts_at=now + dt.timedelta(days=2))
    OfferingFactory(item=item, starts_at=now - dt.timedelta(days=2))
    OfferingFactory(
        item=item, starts_at=now + dt.timedelta(days=5), status=Offering.Status.CANCELLED
    )

    found = item_get_visible_to(user=AnonymousUser(), slug=item.slug)

    assert found.upcoming_sessions == [sooner, later]


@pytest.mark.django_db
def test_catalog_list_annotates_next_session_and_restriction(pharmacy):
    now = timezone.now()
    scheduled = ItemFactory(title="Scheduled")
    OfferingFactory(item=scheduled, starts_at=now + dt.timedelta(days=9))
    OfferingFactory(item=scheduled, starts_at=now + dt.timedelta(days=3))
    OfferingFactory(
        item=scheduled, starts_at=now + dt.timedelta(days=1), status=Offering.Status.CANCELLED
    )
    ItemFactory(title="Restricted", audiences=[AudienceFactory(departments=[pharmacy])])
    pharmacist = EmployeeFactory(department=pharmacy)

    rows = {i.title: i for i in item_list_for_catalog(user=pharmacist.user, now=now)}

    assert rows["Scheduled"].next_session_starts_at == now + dt.timedelta(days=3)
    assert not rows["Scheduled"].is_restricted
    assert rows["Restricted"].next_session_starts_at is None
    assert rows["Restricted"].is_restricted


@pytest.mark.django_db
def test_search_selector_applies_visibility_before_matching(employee, pharmacy, make_item):
    make_item(title="Controlled drugs", audiences=[AudienceFactory(departments=[pharmacy])])
    make_item(title="Controlled breathing")

    found = item_catalog_search(user=employee.user, term="controlled", conditions={}, selected={})

    assert [i.title for i in found.results[0:10]] == ["Controlled breathing"]
    assert found.facets.total == 1


@pytest.mark.django_db
def test_filterset_conditions_leave_out_invalid_values(employee):
    filterset = ItemFilterSet(
        {"format": ["video", "hologram"], "level": ["advanced"], "topic": ["bad slug!"]},
        queryset=Item.objects.all(),
    )

    conditions = filterset.conditions()

    assert set(conditions) == {"level"}
    assert conditions["level"] == Q(level__in=["advanced"])
    assert set(filterset.errors) == {"format", "topic"}
