import pytest

from learning_portal.core import health


def test_healthz_is_alive_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_ok_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_dependency_that_is_down(client, monkeypatch):
    monkeypatch.setitem(health.CHECKS, "cache", lambda: "ConnectionError: refused")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["down"] == {"cache": "ConnectionError: refused"}
