import datetime as dt

import pytest
from django.utils import timezone

from catalog import index
from catalog.models import Item, Offering
from catalog.services import item_search_refresh
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory

MINUTE = dt.timedelta(minutes=1)
TITLES = ("Hand hygiene", "Rota planning", "Hand hygiene refresher", "Sepsis and hygiene")


@pytest.fixture
def make_item():
    """Create an item and refresh its search columns, as the admin and imports do."""

    def make(**kwargs):
        item = ItemFactory(**kwargs)
        item_search_refresh(item_ids=[item.pk])
        item.refresh_from_db()
        return item

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Commits what the block writes, as far as commit callbacks go: the index's token moves."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def pharmacy():
    return DepartmentFactory(name="Pharmacy")


@pytest.fixture
def pharmacist():
    return EmployeeFactory(department=DepartmentFactory(name="Pharmacy"))


@pytest.fixture
def ordered_catalog(pharmacist):
    """Repeated titles, popularity and creation times, shared session times: every tie-break."""
    now = timezone.now()
    topics = [TopicFactory(name="Safety", slug="safety"), TopicFactory(name="Care", slug="care")]
    restricted = AudienceFactory(departments=[pharmacist.department])
    items = []
    for n in range(30):
        item = ItemFactory(
            title=TITLES[n % 4],
            slug=f"item-{n}",
            summary="Covers hygiene on the rota." if n % 8 == 1 else "A short summary.",
            format=Item.Format.values[n % 3],
            level=Item.Level.values[n % 3],
            language=("en", "fr")[n % 2],
            provider=("Academy", "College", "")[n % 4 % 3],
            topics=topics[: n % 3],
            audiences=[restricted] if n % 7 == 3 else [],
        )
        days = (None, 2, 20, 60, 2)[n % 5]  # 1 and 4 share a start time: ties by title, pk
        if days:
            OfferingFactory(item=item, starts_at=now + dt.timedelta(days=days))
        if n % 10 == 0:  # neither a past nor a cancelled session counts
            OfferingFactory(item=item, starts_at=now - dt.timedelta(days=1))
            OfferingFactory(item=item, starts_at=now + MINUTE, status=Offering.Status.CANCELLED)
        items.append(item)
    ItemFactory(title="Hand hygiene draft", is_published=False)
    ItemFactory(title="Hand hygiene later", publish_start=now + dt.timedelta(days=1))
    for value in range(3):
        Item.objects.filter(pk__in=[i.pk for i in items[value::3]]).update(popularity=value)
    for n, item in enumerate(items):  # n and n + 25 are created at the same moment
        created = now - dt.timedelta(minutes=(n * 7) % 25)
        Item.objects.filter(pk=item.pk).update(created_at=created)
    item_search_refresh(item_ids=Item.objects.values("pk"))
    index.catalog_changed()
    return now
