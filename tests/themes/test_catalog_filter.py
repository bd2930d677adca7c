import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.catalog.factories import ItemFactory
from tests.themes.factories import ThemeFactory, ThemeItemFactory
from themes.models import Theme

pytestmark = pytest.mark.django_db


def test_catalog_filters_by_a_released_theme(client):
    theme = ThemeFactory(released=True, slug="rest")
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Sleep science"))
    ItemFactory(title="Unrelated spreadsheet course")

    response = client.get(reverse("catalog:list"), {"theme": "rest"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Sleep science" in content
    assert "Unrelated spreadsheet course" not in content


def test_catalog_theme_filter_ignores_themes_not_released_yet(client):
    theme = ThemeFactory(
        state=Theme.State.SCHEDULED,
        release_at=timezone.now() + dt.timedelta(days=2),
        slug="secret",
    )
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Hidden until release"))

    content = client.get(reverse("catalog:list"), {"theme": "secret"}).content.decode()

    assert "Hidden until release" not in content
