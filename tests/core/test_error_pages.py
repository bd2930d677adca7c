"""Friendly error pages: 404 and 403 in the portal layout; 500 standalone."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path
from django.views import defaults

from learning_portal.urls import urlpatterns as portal_urlpatterns


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


# The portal's URLs plus two that fail on purpose; the error pages link to portal pages.
urlpatterns = [
    path("forbidden/", _forbidden),
    path("broken/", _broken),
    *portal_urlpatterns,
]


@pytest.mark.django_db
def test_unknown_page_gets_a_friendly_404_in_the_portal_layout(client):
    response = client.get("/this/does/not/exist/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "We could not find that page" in content
    assert 'class="skip-link"' in content
    assert 'href="/catalog/"' in content


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_forbidden_page_is_friendly(client):
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


def test_server_error_page_renders_without_database_or_request_context(rf):
    # No django_db mark: any database access in the 500 page would fail this test.
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong on our side" in content
    assert '<link rel="stylesheet" href="/static/css/portal.css">' in content
    assert "{%" not in content


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_unhandled_error_shows_the_500_page(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_rate_limited_page_is_friendly(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


@pytest.mark.django_db
def test_expired_form_gets_a_friendly_403_in_the_portal_layout():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    content = response.content.decode()
    assert "Your form expired" in content
    assert 'class="skip-link"' in content
    assert 'href="/"' in content
