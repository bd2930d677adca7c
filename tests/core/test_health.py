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


class _UnreachableCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal.example:6379")


@pytest.mark.django_db
def test_readyz_names_the_kind_of_failure_but_keeps_its_details_in_the_log(
    client, monkeypatch, caplog
):
    monkeypatch.setattr(health, "cache", _UnreachableCache())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["down"] == {"cache": "ConnectionError"}
    assert "redis.internal.example" not in response.content.decode()
    assert "redis.internal.example" in caplog.text
