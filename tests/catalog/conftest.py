import pytest

from catalog.services import item_search_refresh
from tests.catalog.factories import ItemFactory


@pytest.fixture
def make_item():
    """Create an item and refresh its search columns, as the admin and imports do."""

    def make(**kwargs):
        item = ItemFactory(**kwargs)
        item_search_refresh(item_ids=[item.pk])
        item.refresh_from_db()
        return item

    return make
