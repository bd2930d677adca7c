"""Readiness checks: each returns None when the dependency answers, or a reason."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)


def _failure(check: str, exc: Exception) -> str:
    # /readyz is public: it names the kind of failure, while the message (host names, user
    # names, the server's own words) goes to the log only.
    logger.warning("readiness check %s failed: %s: %s", check, type(exc).__name__, exc)
    return type(exc).__name__


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return _failure("database", exc)
    return None


def check_cache() -> str | None:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        value = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        return _failure("cache", exc)
    if value != "1":
        return "cache did not return the value it was given"
    return None


def check_broker() -> str | None:
    """The broker is checked only when one is configured (not in eager/embedded mode)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory://"):
        return None
    from learning_portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return _failure("broker", exc)
    return None


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def readiness() -> dict[str, str]:
    """Names every dependency that is down, with the reason; empty when all are up."""
    failures = {}
    for name, check in CHECKS.items():
        reason = check()
        if reason is not None:
            failures[name] = reason
    return failures
