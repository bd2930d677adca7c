import pytest

from tests.notifications.helpers import RowWatchingBackend


@pytest.fixture
def watched_rows(settings):
    """The claimed rows seen as each email goes out (RowWatchingBackend)."""
    settings.EMAIL_BACKEND = "tests.notifications.helpers.RowWatchingBackend"
    RowWatchingBackend.seen = []
    return RowWatchingBackend.seen
