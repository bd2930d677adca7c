import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_page_renders_in_chromium_with_navigation(browser_page):
    browser_page.goto("/")
    assert browser_page.get_by_role("link", name="Catalog").first.is_visible()
    browser_page.get_by_role("searchbox").fill("leadership")
    browser_page.get_by_role("button", name="Search").click()
    browser_page.wait_for_url("**/catalog/?q=leadership")
