import pytest

from catalog.models import Item
from catalog.services import item_search_refresh
from tests.catalog.factories import ItemFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_person_searches_filters_by_format_and_opens_an_item(browser_page):
    video = ItemFactory(
        title="Hand hygiene in five moments",
        format=Item.Format.VIDEO,
        description="Watch **before** touching a patient.",
    )
    book = ItemFactory(title="Hand hygiene: the handbook", format=Item.Format.BOOK)
    ItemFactory(title="Manual handling", format=Item.Format.VIDEO)
    item_search_refresh(item_ids=[video.pk, book.pk])
    page = browser_page
    page.goto("/catalog/")
    page.get_by_label("Search", exact=True).fill("hygiene")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/catalog/?q=hygiene*")
    assert page.get_by_role("heading", name="2 results for “hygiene”").is_visible()

    page.get_by_role("checkbox", name="Video").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**format=video*")
    assert page.get_by_role("heading", name="1 result for “hygiene”").is_visible()
    assert page.get_by_role("link", name="Hand hygiene: the handbook").count() == 0

    page.get_by_role("link", name="Hand hygiene in five moments").click()
    page.wait_for_url(f"**{video.get_absolute_url()}?source=catalog")
    assert page.get_by_role("heading", level=1).inner_text() == "Hand hygiene in five moments"
    assert page.locator(".item-description strong").inner_text() == "before"
