"""Redis down or frozen, the broker down, the database unreachable: what people still get.

Figures through gunicorn are in `bench/outages.py`; these tests pin the behaviour.
"""

import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from enrollment.models import Enrollment
from learning_portal.core import circuit, outages
from notifications.models import OutboxMessage
from tests.catalog.factories import OfferingFactory
from tests.core.faults import DOWN_PORT, redis_cache_at
from tests.people.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
PASSWORD = "learn-test"
DOWN_URL = f"redis://127.0.0.1:{DOWN_PORT}/0"


@pytest.fixture
def redis_down(settings, fresh_breakers):
    settings.CACHES = redis_cache_at(DOWN_URL)


@pytest.fixture
def redis_frozen(settings, fresh_breakers, frozen_server):
    settings.CACHES = redis_cache_at(frozen_server.url)
    return frozen_server


def _sign_in(client, email):
    return client.post(reverse("account_login"), {"login": email, "password": PASSWORD})


def _enroll_and_withdraw(client, user):
    offering = OfferingFactory(capacity=5)
    item = offering.item
    response = client.post(
        reverse("enrollment:enroll", args=[item.slug]) + f"?session={offering.pk}",
        {"source": "catalog"},
    )
    assert response.status_code == 302, response.content[:500]
    enrollment = Enrollment.objects.get(user=user, offering=offering)
    assert enrollment.status == Enrollment.Status.ENROLLED
    response = client.post(reverse("enrollment:withdraw", args=[enrollment.pk]))
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    return enrollment


@pytest.mark.parametrize("fault", ["redis_down", "redis_frozen"])
def test_people_sign_in_enroll_and_withdraw_while_redis_fails(
    request,
    fault,
    broker_at,
    django_capture_on_commit_callbacks,
):
    request.getfixturevalue(fault)
    broker_at(DOWN_URL)
    employee = EmployeeFactory(user__email="nurse@example.org")
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_in(client, "nurse@example.org")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == employee.user.pk
    assert client.get(reverse("enrollment:my_learning")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        enrollment = _enroll_and_withdraw(client, employee.user)

    # Both emails wait in the outbox for the broker; nothing was lost.
    waiting = OutboxMessage.objects.filter(
        dispatched_at__isnull=True, args=[enrollment.pk], task__contains=".send_"
    )
    assert sorted(waiting.values_list("task", flat=True)) == [
        "enrollment.tasks.send_enrollment_confirmation",
        "enrollment.tasks.send_withdrawal_notice",
    ]
    assert cache._cache.breaker.is_open


def test_a_frozen_redis_costs_one_timeout_then_calls_fail_fast(client, redis_frozen, monkeypatch):
    employee = EmployeeFactory()
    client.force_login(employee.user)
    # The breaker lets one caller try again after reset_after seconds; the ten pages must
    # all fall in one open period however slow a loaded machine makes them.
    monkeypatch.setattr(cache._cache.breaker, "reset_after", 3600)

    for _ in range(5):
        assert client.get("/").status_code == 200
        assert client.get(reverse("catalog:list")).status_code == 200

    # Ten pages, dozens of cache calls: one connection reached the frozen server, the rest
    # failed at once behind the open breaker.
    assert len(redis_frozen.accepted) == 1
    assert cache._cache.breaker.is_open


def test_sign_in_rate_limit_still_counts_while_redis_is_down(client, redis_down):
    employee = EmployeeFactory(user__email="nurse@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "nurse@example.org", "password": "no"})

    response = _sign_in(client, "nurse@example.org")  # even the right password

    assert "Too many failed login attempts" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert employee.user.pk


def test_readyz_names_redis_and_the_broker_when_they_are_frozen(
    client,
    redis_frozen,
    broker_at,
):
    broker_at(redis_frozen.url)
    response = client.get("/readyz")

    assert response.status_code == 503
    down = response.json()["down"]
    assert set(down) == {"cache", "broker"}


def test_readyz_reports_a_check_that_does_not_answer_in_time(client, monkeypatch):
    import threading

    from learning_portal.core import health

    release = threading.Event()
    monkeypatch.setitem(health.CHECKS, "database", lambda: release.wait(5) and None)
    try:
        failures = health.readiness(deadline=0.2)
    finally:
        release.set()
    assert failures == {"database": health.NO_ANSWER}


# --- the database unreachable ---------------------------------------------------------------


@pytest.fixture
def database_down(monkeypatch):
    from django.db.backends.base.base import BaseDatabaseWrapper

    outages.reset()

    def refuse(self):
        raise OperationalError('connection to server at "db.internal" failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    yield
    outages.reset()


def test_database_down_answers_a_503_page_with_one_log_line(database_down, caplog):
    client = Client(raise_request_exception=False)
    caplog.set_level(logging.INFO)

    responses = [client.get(path) for path in ["/", "/catalog/", "/accounts/login/"] * 10]

    assert {response.status_code for response in responses} == {503}
    page = responses[0].content.decode()
    assert "The portal is briefly unavailable" in page
    assert "db.internal" not in page
    assert responses[0]["Retry-After"] == "30"
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage() == (
        'database unavailable: OperationalError: connection to server at "db.internal" '
        "failed: Connection refused"
    )
    assert not any(record.exc_info for record in caplog.records)


def test_database_down_keeps_healthz_alive_and_readyz_names_it(database_down):
    client = Client(raise_request_exception=False)

    assert client.get("/healthz").status_code == 200
    readyz = client.get("/readyz")
    assert readyz.status_code == 503
    assert readyz.json()["down"] == {"database": "OperationalError"}


def test_other_errors_still_get_the_500_page(monkeypatch):
    from learning_portal.core import health

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(health, "readiness", broken)
    response = Client(raise_request_exception=False).get("/readyz")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.postgres
def test_an_unreachable_database_fails_new_connections_fast_behind_the_breaker(
    settings,
    fresh_breakers,
):
    from learning_portal.core.postgresql.base import DATABASE_BREAKER, DatabaseWrapper

    faulty = DatabaseWrapper(
        {**settings.DATABASES["default"], "PORT": str(DOWN_PORT), "NAME": "portal"},
        alias="faulty",
    )
    with pytest.raises(OperationalError, match="Connection refused|connection failed"):
        faulty.ensure_connection()
    with pytest.raises(OperationalError, match="circuit open"):
        faulty.ensure_connection()
    assert circuit.breaker(DATABASE_BREAKER).is_open
