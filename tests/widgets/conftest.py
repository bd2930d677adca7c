import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import Item
from tests.catalog.factories import AudienceFactory, ItemFactory, OfferingFactory, TopicFactory
from tests.people.factories import DepartmentFactory, EmployeeFactory
from widgets import counters
from widgets.identity import placements_memo_forget


@pytest.fixture(autouse=True)
def _fresh_counter_store():
    counters.reset_store()
    placements_memo_forget()
    yield
    counters.reset_store()
    placements_memo_forget()


@pytest.fixture
def leadership():
    return TopicFactory(name="Leadership", slug="leadership")


@pytest.fixture
def make_team():
    """A manager with `size` active direct reports in the manager's department."""

    def make(size, *, department=None, **manager_kwargs):
        department = department or DepartmentFactory(name="Radiology")
        manager = EmployeeFactory(is_manager=True, department=department, **manager_kwargs)
        reports = [EmployeeFactory(manager=manager, department=department) for _ in range(size)]
        return manager, reports

    return make


@pytest.fixture
def catalog_mix(db, leadership):
    """A small realistic catalog: popular items of several formats, one manager-only item."""
    safety = TopicFactory(name="Patient safety", slug="patient-safety")
    items = {
        "course": ItemFactory(
            title="Speaking up for safety",
            format=Item.Format.COURSE,
            popularity=50,
            topics=[safety],
        ),
        "video": ItemFactory(
            title="Hand hygiene in five minutes",
            format=Item.Format.VIDEO,
            popularity=40,
            topics=[safety],
        ),
        "book": ItemFactory(
            title="The Checklist Manifesto", format=Item.Format.BOOK, popularity=30, topics=[safety]
        ),
        "podcast": ItemFactory(
            title="Calm under pressure", format=Item.Format.PODCAST, popularity=20
        ),
        "leaders": ItemFactory(
            title="Leading through change",
            format=Item.Format.COURSE,
            popularity=10,
            topics=[leadership],
        ),
    }
    managers_only = AudienceFactory(name="All managers", managers_only=True)
    items["managers_only"] = ItemFactory(
        title="Difficult conversations for managers",
        format=Item.Format.ELEARNING,
        popularity=60,
        audiences=[managers_only],
        topics=[leadership],
    )
    return items


@pytest.fixture
def open_session_item(db):
    offering = OfferingFactory(
        item__title="Quality improvement workshop",
        item__popularity=45,
        starts_at=timezone.now() + dt.timedelta(days=10),
    )
    return offering.item
