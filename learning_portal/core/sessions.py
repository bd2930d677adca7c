"""Sessions in the cache with the database behind it, surviving a cache outage.

Django's cached_db store reads the database when the cache misses, but then writes the
session back to the cache without guarding against errors, so a Redis outage would fail every
signed-in request. Here a cache failure only costs the database read.
"""

import logging

from django.contrib.sessions.backends import cached_db, db

from .circuit import CircuitOpenError

logger = logging.getLogger(__name__)


def _cache_failed(exc: Exception, what: str) -> None:
    # An open circuit was logged once when it opened; other failures get one line each.
    if not isinstance(exc, CircuitOpenError):
        logger.warning("session cache unavailable (%s: %s); %s", type(exc).__name__, exc, what)


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - the cache is down or the key is invalid
            data = None
        if data is not None:
            return data
        session = self._get_session_from_db()
        if not session:
            return {}
        data = self.decode(session.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=session.expire_date))
        except Exception as exc:  # noqa: BLE001
            _cache_failed(exc, "served the session from the database")
        return data

    def save(self, must_create=False):
        # The database row is written first (and its errors raised); the cache copy is a
        # speed-up, so a cache failure is one line in the log rather than a traceback.
        db.SessionStore.save(self, must_create)
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception as exc:  # noqa: BLE001
            _cache_failed(exc, "saved the session in the database")

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:  # noqa: BLE001
            return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception:  # noqa: BLE001
            db.SessionStore.delete(self, session_key)
