"""The smaller holes of issue 10 item 9, each reproduced from outside."""

import datetime as dt
import json
import logging

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from catalog.models import ZeroResultSearch
from tests.catalog.factories import ItemFactory, OfferingFactory
from tests.enrollment.helpers import enroll
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

SECRET_ROOM = "https://meet.example.org/j/secret-room-4411"


# -- the join link only with a seat ------------------------------------------------------------


def test_enroll_confirmation_does_not_show_the_join_link_before_a_seat(client_as, employee):
    offering = OfferingFactory(online_url=SECRET_ROOM)
    url = reverse("enrollment:enroll", args=[offering.item.slug]) + f"?session={offering.pk}"

    page = client_as(employee).get(url).content.decode()

    assert "Confirm" in page or "confirm" in page
    assert SECRET_ROOM not in page


def test_a_waitlisted_person_does_not_see_the_join_link(client_as, employee):
    offering = OfferingFactory(online_url=SECRET_ROOM, capacity=1)
    enroll(EmployeeFactory().user, offering)
    waitlisted = enroll(employee.user, offering)
    assert waitlisted.status == "waitlisted"
    client = client_as(employee)

    for url in (
        reverse("enrollment:withdraw", args=[waitlisted.pk]),
        offering.item.get_absolute_url(),
        reverse("enrollment:my_learning"),
    ):
        assert SECRET_ROOM not in client.get(url).content.decode(), url


def test_a_seated_person_sees_the_join_link(client_as, employee):
    offering = OfferingFactory(online_url=SECRET_ROOM)
    seated = enroll(employee.user, offering)

    page = client_as(employee).get(reverse("enrollment:withdraw", args=[seated.pk]))

    assert SECRET_ROOM in page.content.decode()


# -- bounded keys and rows from anonymous requests ---------------------------------------------


def cache_key_count() -> int:
    from django.core.cache import cache

    if hasattr(cache, "_cache") and isinstance(cache._cache, dict):
        return len(cache._cache)
    return len(cache._cache.get_client().keys("*"))


def test_unknown_widget_variants_do_not_create_cache_keys(client):
    ItemFactory()
    client.get("/widgets/suggested/", {"variant": "junk"})
    keys = cache_key_count()

    for n in range(20):
        response = client.get("/widgets/suggested/", {"variant": f"junk-{n}"})
        assert response.status_code == 200

    assert cache_key_count() == keys


def test_anonymous_searches_that_find_nothing_are_not_counted(client):
    client.get(reverse("catalog:list"), {"q": "qwertyuiop"})

    assert not ZeroResultSearch.objects.exists()


def test_a_person_counts_once_per_term_and_a_limited_number_of_terms(client_as, employee):
    client = client_as(employee)
    for _ in range(3):
        client.get(reverse("catalog:list"), {"q": "sepsis escape room"})
    for n in range(40):
        client.get(reverse("catalog:list"), {"q": f"nonsense term {n}"})

    assert ZeroResultSearch.objects.get(term="sepsis escape room").count == 1
    assert ZeroResultSearch.objects.count() <= 21


# -- no caching of personal responses ----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/me/learning/",
        "/me/learning/transcript/",
        "/me/learning/transcript.csv",
        "/me/learning/transcript.json",
        "/me/profile/",
        "/me/notifications/",
        "/catalog/",
        "/",
    ],
)
def test_personal_pages_and_exports_are_not_stored_by_caches(client_as, employee, url):
    response = client_as(employee).get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


# -- widget notices are codes, not text --------------------------------------------------------


def test_widget_notice_shows_only_known_messages(client):
    ItemFactory()
    page = client.get("/widgets/suggested/", {"notice": "Your password expired: call 0800 EVIL"})

    assert "0800 EVIL" not in page.content.decode()


def test_widget_notice_code_shows_its_message(client_as, employee):
    ItemFactory()
    page = client_as(employee).get("/widgets/suggested/", {"notice": "not_manager"})

    assert "Only people leaders" in page.content.decode()


# -- Permissions-Policy and CSP reports --------------------------------------------------------


def test_every_response_sends_a_permissions_policy(client):
    response = client.get("/")

    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_csp_reports_go_to_the_portal(client):
    response = client.get("/")

    assert "report-uri /csp-report/" in response["Content-Security-Policy"]
    assert "report-to csp" in response["Content-Security-Policy"]
    assert 'csp="/csp-report/"' in response["Reporting-Endpoints"]


def test_csp_report_endpoint_logs_violations(client, caplog):
    report = {
        "csp-report": {
            "document-uri": "https://learning.example.org/catalog/",
            "violated-directive": "script-src-elem",
            "blocked-uri": "https://evil.example/x.js",
        }
    }
    with caplog.at_level(logging.WARNING, logger="learning_portal.csp"):
        response = client.post(
            "/csp-report/", json.dumps(report), content_type="application/csp-report"
        )

    assert response.status_code == 204
    assert any("script-src-elem" in r.getMessage() for r in caplog.records)


def test_csp_report_endpoint_refuses_junk_and_floods(client):
    assert (
        client.post("/csp-report/", "x" * 70_000, content_type="application/json").status_code
        == 413
    )
    assert client.get("/csp-report/").status_code == 405
    statuses = {
        client.post("/csp-report/", "{}", content_type="application/csp-report").status_code
        for _ in range(80)
    }
    assert 429 in statuses


# -- session timeouts --------------------------------------------------------------------------


def signed_in(client) -> bool:
    return bool(client.session.get(SESSION_KEY))


def test_an_idle_session_ends(client_as, employee, settings):
    settings.SESSION_IDLE_TIMEOUT = 8 * 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_as(employee)
        assert client.get("/me/profile/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=7), tick=False):
        assert client.get("/me/profile/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=15, minutes=5), tick=False):
        response = client.get("/me/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_an_active_session_ends_at_the_absolute_limit(client_as, employee, settings):
    settings.SESSION_IDLE_TIMEOUT = 8 * 60 * 60
    settings.SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_as(employee)
        client.get("/me/profile/")
    for hours in range(1, 12):
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            assert client.get("/me/profile/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=1), tick=False):
        response = client.get("/me/profile/")
    assert response.status_code == 302


def test_an_expired_session_gets_no_personal_widget(client_as, employee, settings):
    settings.SESSION_IDLE_TIMEOUT = 60 * 60
    ItemFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = client_as(employee)
        client.get("/me/profile/")
        assert "Sign in" not in client.get("/widgets/suggested/").content.decode()
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        page = client.get("/widgets/suggested/").content.decode()
    assert "Sign in" in page
    assert not signed_in(client)


# -- error pages with DEBUG on -----------------------------------------------------------------


@override_settings(DEBUG=True)
def test_with_debug_an_unknown_page_is_the_portal_404_not_the_url_list(client):
    response = client.get("/no/such/page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "We could not find that page" in content
    assert "URLconf" not in content
    assert "admin/" not in content


@override_settings(DEBUG=True, ALLOWED_HOSTS=["learning.example.org"])
def test_with_debug_a_bad_host_is_a_plain_400_without_settings(client):
    response = Client(HTTP_HOST="evil.example").get("/")

    assert response.status_code == 400
    content = response.content.decode()
    assert "Traceback" not in content
    assert "SECRET_KEY" not in content
    assert "DisallowedHost" not in content
