"""`make screenshots`: every page type at a phone's and a desktop's size, for people to look at.

Not part of the suite (the file name does not start with test_); `make screenshots` runs it.
The PNGs go to test-artifacts/screenshots/ (ignored by git), named <viewport>-<who>-<page>.png.
"""

import pytest

from tests.portal import pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = pages.ROOT / "test-artifacts" / "screenshots"


def test_screenshots(browser_page, live_server):
    OUT.mkdir(parents=True, exist_ok=True)
    site = pages.demo_site()
    taken = []
    for viewport, (width, height) in pages.VIEWPORTS.items():
        context = browser_page.context.browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        pages.serve_media(context)
        try:
            for person, visits in site.items():
                page = context.new_page()
                if person:
                    pages.sign_in(page, person)
                who = (person or "signed-out").split("@")[0]
                for visit in visits:
                    page.goto(visit.url, referer=visit.referer)
                    page.wait_for_load_state("load")
                    # A full-page picture shows the covers below the fold, which a person
                    # scrolling would see load (the cards' images are loading="lazy").
                    page.evaluate(pages.LOAD_ALL_IMAGES)
                    path = OUT / f"{viewport}-{who}-{visit.name}.png"
                    page.screenshot(path=str(path), full_page=True)
                    taken.append(path)
                page.close()
                context.clear_cookies()
        finally:
            context.close()
    assert taken
    print(f"\n{len(taken)} screenshots in {OUT}")
