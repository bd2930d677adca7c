"""The widget embedded by a stand-in intranet on another origin, in real Chromium."""

import functools
import http.server
import threading

import pytest

from enrollment.models import Enrollment, TranscriptEvent
from tests.people.factories import EmployeeFactory
from tests.widgets.factories import PlacementFactory
from widgets.tokens import token_mint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def intranet(tmp_path):
    """Serves files from a folder at http://127.0.0.1:<port>, a different site than the portal."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"

    def publish(name, html):
        (tmp_path / name).write_text(html)
        return f"{origin}/{name}"

    yield origin, publish
    server.shutdown()


def snippet(portal, *, variant, token):
    # The documented snippet, verbatim but for the values.
    return (
        "<!doctype html><html><head><title>Intranet</title></head><body>"
        "<h1>Hospital intranet</h1><main><div id='widget-slot'>"
        f'<script src="{portal}/widgets/embed.js" data-variant="{variant}" '
        f'data-token="{token}" async></script>'
        "</div><p>Other news</p></main></body></html>"
    )


def mint(placement, employee):
    return token_mint(
        placement_key=placement.key,
        secret=placement.secret,
        employee_id=employee.employee_id,
        ttl=600,
    )


def widget_frame(page):
    page.wait_for_selector("iframe")
    frame = page.frame_locator("iframe")
    frame.locator(".lpw-card").first.wait_for()
    return frame


def open_widget(page, publish, portal, placement, employee, *, variant):
    """Open an intranet page embedding the widget for this person; the loaded widget frame."""
    page.goto(
        publish(
            f"{variant}.html",
            snippet(portal, variant=variant, token=mint(placement, employee)),
        )
    )
    return widget_frame(page)


def test_intranet_embeds_each_variant_resized_and_click_through_enrolls_on_the_portal(
    browser_page, browser_login, live_server, intranet, catalog_mix, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    origin, publish = intranet
    placement = PlacementFactory(origin=origin)
    employee = EmployeeFactory(is_manager=False)
    manager = EmployeeFactory(is_manager=True)
    # The employee is signed in to the portal in this browser: the top-level item page knows
    # them, while the cross-site widget identifies them by token alone.
    page = browser_login(employee.user)
    csp_errors = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )

    frame = open_widget(page, publish, live_server.url, placement, manager, variant="manager")
    assert frame.locator("[data-variant]").get_attribute("data-variant") == "manager"
    assert (
        frame.get_by_role("button", name="Suggest Leading through change to my team").count()
        or frame.locator(".lpw-card").count() >= 3
    )

    frame = open_widget(page, publish, live_server.url, placement, employee, variant="employee")
    assert frame.locator("[data-variant]").get_attribute("data-variant") == "employee"
    assert frame.locator(".lpw-card").count() >= 3
    # The iframe was resized from the loader's default to the widget's own height.
    page.wait_for_function("() => document.querySelector('iframe').style.height !== '360px'")
    frame_height = page.evaluate("() => parseInt(document.querySelector('iframe').style.height)")
    content_height = frame.locator("body").evaluate("el => el.getBoundingClientRect().height")
    assert abs(frame_height - content_height) <= 2
    assert csp_errors == []
    assert not TranscriptEvent.objects.exists()

    title = frame.locator(".lpw-card h3").first.inner_text()
    frame.get_by_role("link", name=f"View and enroll: {title}").click()
    page.wait_for_url(f"{live_server.url}/catalog/**")
    assert "source=widget_employee" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert not TranscriptEvent.objects.exists()

    page.get_by_role("link", name="Enroll", exact=True).click()
    page.get_by_role("button", name="Confirm enrollment").click()
    page.wait_for_load_state()
    enrollment = Enrollment.objects.get(user=employee.user)
    assert enrollment.item.title == title
    assert enrollment.source == "widget_employee"
    assert list(TranscriptEvent.objects.values_list("kind", flat=True)) == ["registered"]


def test_a_site_that_is_not_a_placement_cannot_frame_the_widget(
    browser_page, live_server, intranet, catalog_mix
):
    _, publish = intranet
    PlacementFactory(origin="https://intranet.example.org")
    page = browser_page
    page.goto(publish("rogue.html", snippet(live_server.url, variant="employee", token="")))
    page.wait_for_selector("iframe")
    page.wait_for_timeout(1500)
    frame = page.frames[1]
    assert frame.locator(".lpw-card").count() == 0
