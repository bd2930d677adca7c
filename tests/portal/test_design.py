"""The design's promises, on every page type, in Chromium at a phone's and a desktop's size.

- no horizontal scrolling (the page is never wider than the screen), down to a 320px phone;
- on item pages, the Enroll action (or "Sign in to enroll") is inside the first screen;
- axe-core (tests/vendor/axe.min.js, from npm) finds no WCAG 2.1 A/AA violation, on the
  portal's pages and the admin pages learning admins use;
- the strict CSP is never violated (no inline style or script slipped in).
"""

import re

import pytest
from django.template.loader import render_to_string

from tests.portal import pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STANDALONE_ERRORS = {"server-error": "500.html", "unavailable": "503.html"}


def check_page(
    page, visit: pages.Page, width: int, height: int, *, overflow_only: bool = False
) -> list[str]:
    problems = []
    response = page.goto(visit.url, referer=visit.referer)
    page.wait_for_load_state("load")
    if response is None or response.status >= 500:
        return [f"answered {response and response.status}"]
    overflow = pages.horizontal_overflow(page)
    if overflow > 0:
        problems.append(f"scrolls sideways by {overflow}px")
    if overflow_only:
        return problems
    if visit.enroll_action:
        # "Enroll" links name their session ("Enroll for Tue 8 Sep…"): the first one counts.
        name = re.compile(rf"^{re.escape(visit.enroll_action)}\b")
        action = page.locator(".cta").get_by_role("link", name=name)
        box = action.first.bounding_box() if action.count() else None
        if box is None:
            problems.append(f"has no visible {visit.enroll_action!r} action")
        elif box["y"] + box["height"] > height or box["x"] + box["width"] > width:
            problems.append(f"{visit.enroll_action!r} is below the first screen (at y={box['y']})")
    problems += pages.axe_violations(page)
    return problems


def served(html: str):
    return lambda route: route.fulfill(body=html, content_type="text/html")


def test_every_page_type_fits_phone_and_desktop_and_passes_axe(browser_page, live_server):
    site = pages.demo_site()
    csp_errors: list[str] = []
    failures: dict[str, list[str]] = {}

    def csp_error(page, message):
        # Django's own admin widgets (select2, the calendar) write style attributes, which the
        # policy blocks without harm; the portal's pages must have none.
        if "Content Security Policy" in message.text and "/admin/" not in page.url:
            csp_errors.append(f"{page.url}: {message.text}")

    for viewport, (width, height) in pages.VIEWPORTS.items():
        overflow_only = viewport in pages.OVERFLOW_ONLY
        context = browser_page.context.browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        pages.serve_media(context)
        try:
            for person, visits in site.items():
                page = context.new_page()
                page.on("console", lambda message, page=page: csp_error(page, message))
                if person:
                    pages.sign_in(page, person)
                for visit in visits:
                    problems = check_page(page, visit, width, height, overflow_only=overflow_only)
                    if problems:
                        where = f"{viewport} {width}x{height}, {person or 'signed out'}"
                        failures[f"{where}: {visit.name} ({visit.url})"] = problems
                page.close()
                context.clear_cookies()
            # 500 and 503 render without a request; served here as the handlers would send them.
            page = context.new_page()
            for name, template in STANDALONE_ERRORS.items():
                url = f"{live_server.url}/__design__/{name}/"
                page.route(url, served(render_to_string(template)))
                problems = check_page(
                    page, pages.Page(name, url), width, height, overflow_only=overflow_only
                )
                if problems:
                    failures[f"{viewport} {width}x{height}: {name}"] = problems
        finally:
            context.close()
    report = "\n".join(f"{where}:\n  " + "\n  ".join(found) for where, found in failures.items())
    assert not failures, report
    assert not csp_errors, "\n".join(csp_errors)


def test_phone_header_folds_the_menu_behind_a_button(browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.get_by_role("button", name="Menu")

    assert not nav.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Catalog").is_visible()
    page.keyboard.press("Escape")
    assert not nav.is_visible()

    # A desktop window shows the links themselves, no button.
    page.set_viewport_size({"width": 1366, "height": 900})
    assert nav.get_by_role("link", name="Catalog").is_visible()
    assert not menu.is_visible()
