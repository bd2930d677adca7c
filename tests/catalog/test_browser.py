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
    csp = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
    page.goto("/catalog/")
    # Filters apply as they change (htmx): no "Apply filters" button to press.
    assert not page.get_by_role("button", name="Apply filters").is_visible()
    page.get_by_label("Search", exact=True).fill("hygiene")
    page.get_by_label("Search", exact=True).press("Enter")
    page.wait_for_url("**/catalog/?q=hygiene*")
    page.get_by_role("heading", name="2 results for “hygiene”").wait_for()
    assert page.locator("mark").first.inner_text().lower() == "hygiene"

    page.get_by_role("checkbox", name="Video").check()
    page.wait_for_url("**format=video*")
    page.get_by_role("heading", name="1 result for “hygiene”").wait_for()
    assert page.get_by_role("link", name="Hand hygiene: the handbook").count() == 0
    # The swapped filters keep the choice, and focus stays on the checkbox just used.
    assert page.get_by_role("checkbox", name="Video").is_checked()
    assert page.evaluate("document.activeElement.value") == "video"
    assert not csp

    page.get_by_role("link", name="Hand hygiene in five moments").click()
    page.wait_for_url(f"**{video.get_absolute_url()}?source=catalog")
    assert page.get_by_role("heading", level=1).inner_text() == "Hand hygiene in five moments"
    assert page.locator(".item-description strong").inner_text() == "before"
