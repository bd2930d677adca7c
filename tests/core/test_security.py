"""The security baseline: deploy checks, CSP without inline script, no framing, CSRF."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.catalog.factories import ItemFactory
from tests.core.helpers import (
    run_with_production_settings,
    run_with_production_settings_but,
)
from tests.people.factories import UserFactory


def test_check_deploy_under_production_settings_reports_no_warnings():
    result = run_with_production_settings(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues" in output


def test_production_cookies_are_secure_and_session_cookie_is_http_only():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.DEBUG]))"
    )
    result = run_with_production_settings("-c", script)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, True, True, True, False]


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = run_with_production_settings_but("DJANGO_SECRET_KEY", "manage.py", "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- headers on every kind of page -----------------------------------------------------------


@pytest.fixture
def pages(db):
    item = ItemFactory(title="Hand hygiene", slug="hand-hygiene")
    return {
        "home": reverse("home"),
        "catalog": reverse("catalog:list"),
        "item": item.get_absolute_url(),
        "login": reverse("account_login"),
        "password reset": reverse("account_reset_password"),
        "admin login": reverse("admin:login"),
        "not found": "/no-such-page/",
    }


def _csp_directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (chunk.strip() for chunk in header.split(";"))
        if part
    }


def test_every_page_refuses_to_be_framed(client, pages):
    for name, url in pages.items():
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert _csp_directives(response)["frame-ancestors"] == "'none'", name


@pytest.mark.django_db
def test_admin_pages_refuse_to_be_framed(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in [reverse("admin:index"), reverse("admin:catalog_item_changelist")]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["X-Frame-Options"] == "DENY"
        assert _csp_directives(response)["frame-ancestors"] == "'none'"


def test_csp_allows_scripts_only_from_our_own_origin(client, pages):
    for name, url in pages.items():
        directives = _csp_directives(client.get(url))
        assert directives["script-src"] == "'self'", name
        assert directives["default-src"] == "'self'", name
        assert directives["object-src"] == "'none'", name
        assert directives["base-uri"] == "'self'", name
        assert "unsafe-inline" not in directives.get("style-src", ""), name


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def test_portal_pages_carry_no_inline_script_or_style(client, pages):
    # Inline code would be blocked by the CSP in the browser, so it must not be there at all.
    # json_script blocks (type="application/json") are data, not code.
    for name, url in pages.items():
        html = client.get(url, follow=True).content.decode()
        scripts = [
            tag for tag in INLINE_SCRIPT.findall(html) if 'type="application/json"' not in tag
        ]
        assert scripts == [], name
        assert not INLINE_HANDLER.search(html), name
        assert not INLINE_STYLE.search(html), name


def test_security_headers_on_pages(client, pages):
    response = client.get(pages["login"])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert (
        "no-cache" in response.headers["Cache-Control"]
        or "max-age=0" in (response.headers["Cache-Control"])
    )


# --- CSRF on state changes -------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
def test_logout_without_csrf_token_is_refused(csrf_client, employee):
    csrf_client.force_login(employee.user)
    response = csrf_client.post(reverse("account_logout"))
    assert response.status_code == 403
    assert "Your form expired" in response.content.decode()
    assert csrf_client.session.get("_auth_user_id") == str(employee.user_id)


@pytest.mark.django_db
def test_profile_change_without_csrf_token_is_refused(csrf_client, employee):
    csrf_client.force_login(employee.user)
    response = csrf_client.post(reverse("profile"), {"interests": []})
    assert response.status_code == 403


@pytest.mark.django_db
def test_login_without_csrf_token_is_refused(csrf_client, employee):
    response = csrf_client.post(
        reverse("account_login"), {"login": employee.user.email, "password": "learn-test"}
    )
    assert response.status_code == 403
    assert csrf_client.session.get("_auth_user_id") is None


@pytest.mark.django_db
def test_logout_with_the_pages_csrf_token_works(csrf_client, employee):
    csrf_client.force_login(employee.user)
    page = csrf_client.get(reverse("account_logout"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = csrf_client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert csrf_client.session.get("_auth_user_id") is None


@pytest.mark.django_db
def test_admin_change_without_csrf_token_is_refused(csrf_client):
    csrf_client.force_login(UserFactory(is_staff=True, is_superuser=True))
    item = ItemFactory(title="Unchanged")
    response = csrf_client.post(
        reverse("admin:catalog_item_change", args=[item.pk]), {"title": "Changed"}
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title == "Unchanged"
