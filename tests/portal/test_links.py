"""The portal's pages that models below it link to (settings' ABSOLUTE_URL_OVERRIDES)."""

import pytest
from django.urls import reverse

from tests.catalog.factories import ItemFactory
from tests.people.factories import EmployeeFactory


@pytest.mark.django_db
def test_an_item_links_to_its_page_on_the_portal(client):
    item = ItemFactory(slug="purple-cow", is_published=True)

    assert item.get_absolute_url() == reverse("item_detail", kwargs={"slug": "purple-cow"})
    assert client.get(item.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_an_employee_links_to_the_profile_page():
    assert EmployeeFactory().get_absolute_url() == reverse("profile")


@pytest.mark.django_db
def test_the_item_pages_crumbs_start_at_the_portals_home(client):
    item = ItemFactory(is_published=True)

    page = client.get(item.get_absolute_url()).content.decode()

    assert (
        '<ol class="breadcrumbs" aria-label="Breadcrumb">'
        f'<li><a href="{reverse("home")}">Home</a></li>'
        f'<li><a href="{reverse("catalog:list")}">Catalog</a></li></ol>'
    ) in page
