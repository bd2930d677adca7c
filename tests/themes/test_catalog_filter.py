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

    response = client.get(reverse("themes:catalog", kwargs={"slug": "rest"}))

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

    response = client.get(reverse("themes:catalog", kwargs={"slug": "secret"}))

    assert response.status_code == 404
    assert "Hidden until release" not in response.content.decode()


def test_a_theme_filter_is_kept_by_the_filter_form_and_shown_as_a_removable_chip(client):
    theme = ThemeFactory(released=True, slug="rest", title="Rest")
    ThemeItemFactory(theme=theme, item=ItemFactory(title="Sleep science", format="video"))
    ItemFactory(title="Night shift video", format="video")
    url = reverse("themes:catalog", kwargs={"slug": "rest"})

    response = client.get(url, {"format": "video"})
    content = response.content.decode()

    assert response.context["total"] == 1
    assert [item.title for item in response.context["items"]] == ["Sleep science"]
    assert f'<form method="get" action="{url}" id="catalog-filters"' in content
    assert 'href="/catalog/?format=video">Theme: Rest' in content
