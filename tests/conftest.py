"""Shared fixtures and the rules for service-backed tests.

Tests marked `postgres`, `redis` or `browser` need a real service. Without it they skip with
the reason; with REQUIRE_SERVICES=1 (CI) they fail instead, so CI can never go green by
skipping them.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from tests.people.factories import EmployeeFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


def _redis_reason() -> str | None:
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    try:
        import redis

        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at REDIS_URL does not answer ({exc})"
    return None


def _missing_service(item) -> str | None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME"
    if item.get_closest_marker("redis"):
        reason = _redis_reason()
        if reason:
            return f"needs Redis: {reason}"
    if item.get_closest_marker("browser") and chromium_path() is None:
        return "needs Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)"
    return None


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (rate limits, cached fragments, catalog index).

    The catalog index and the widget's pool also have a copy in this process; a test starts
    as a fresh process would.
    """
    from django.core.cache import cache

    from catalog import index
    from learning_portal.core import circuit
    from recognition.signals import forget_active_criteria
    from widgets.selectors.suggestions import shared_memo_forget

    # Circuit breakers are per process: one test's outage must not reach the next.
    circuit.reset_all()
    cache.clear()
    index.forget_process_copies()
    shared_memo_forget()
    forget_active_criteria()
    yield
    circuit.reset_all()
    cache.clear()
    index.forget_process_copies()
    shared_memo_forget()
    forget_active_criteria()


@pytest.fixture
def employee(db):
    return EmployeeFactory(user__email="employee@example.org", is_manager=False)


@pytest.fixture
def manager(db):
    return EmployeeFactory(user__email="manager@example.org", is_manager=True)


@pytest.fixture
def client_as(client):
    """Log the test client in as a user or employee: `client_as(employee)`."""

    def login(person):
        user = getattr(person, "user", person)
        client.force_login(user)
        return client

    return login


@pytest.fixture
def browser_page(live_server, settings):
    """A Playwright page in Debian's Chromium, against the live test server.

    Playwright's sync API runs an event loop in this thread, so Django's async-safety check
    is relaxed for the test; the ORM calls still happen synchronously.
    """
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.ALLOWED_HOSTS = ["*"]
    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            # ORM calls made while Playwright runs happen in its greenlet, with connections
            # of their own: close them here, or the test database cannot be dropped.
            from django.db import connections

            connections.close_all()
            context.close()
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_login(browser_page):
    """Sign a person in through the real login form: `browser_login(user, password)`."""

    def login(user, password="learn-test"):
        browser_page.goto("/accounts/login/")
        form = browser_page.locator("form.auth-form")
        form.locator("input[name='login']").fill(user.email)
        form.locator("input[name='password']").fill(password)
        form.get_by_role("button", name="Sign in", exact=True).click()
        browser_page.wait_for_load_state()
        return browser_page

    return login


@pytest.fixture
def redis_worker(settings):
    """A real Celery worker in a thread, consuming from Redis instead of running tasks eagerly.

    The Celery app read the CELERY_* settings at import, so its configuration is switched
    here and restored afterwards.
    """
    from celery.contrib.testing.worker import start_worker

    from learning_portal.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.control.purge()
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        app.conf.update(saved)
