"""Sessions in the cache with the database behind it: a cache outage costs only speed."""

import pytest
from django.contrib.sessions.backends import cached_db

from learning_portal.core.sessions import SessionStore


class _DownCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache is down")

        return fail

    def __contains__(self, key):
        raise ConnectionError("cache is down")


@pytest.mark.django_db
def test_sessions_keep_working_from_the_database_while_the_cache_is_down(monkeypatch):
    saved = SessionStore()
    saved["who"] = "nurse"
    saved.save()
    monkeypatch.setattr(cached_db, "caches", {"default": _DownCache()})

    loaded = SessionStore(session_key=saved.session_key)
    assert isinstance(loaded._cache, _DownCache)
    assert loaded["who"] == "nurse"
    assert loaded.exists(saved.session_key)
    loaded.delete()
    assert not SessionStore().exists(saved.session_key)
