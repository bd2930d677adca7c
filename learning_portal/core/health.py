"""Readiness checks: each returns None when the dependency answers, or a reason.

The checks run side by side, each with its own short timeout, and `readiness()` waits at
most READINESS_DEADLINE for all of them: a frozen Redis or an unreachable database is
named within that time instead of holding the load balancer's probe.
"""

import contextlib
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.core.cache import cache
from django.db import connection

logger = logging.getLogger(__name__)

# Seconds /readyz waits for its checks in all; a check still running by then is reported.
READINESS_DEADLINE = 1.5
NO_ANSWER = "no answer within the deadline"

_executor = ThreadPoolExecutor(max_workers=6, thread_name_prefix="readyz")


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
        with app.connection_for_write(connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
            # Connecting alone does not show a frozen Redis (the kernel accepts for it).
            conn.default_channel.client.ping()
    except Exception as exc:  # noqa: BLE001
        return _failure("broker", exc)
    return None


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


def _in_thread(check):
    # Each check thread uses (and returns) its own database connection; closing it must not
    # turn a reported failure into an exception.
    try:
        return check()
    finally:
        with contextlib.suppress(Exception):
            connection.close()


def readiness(*, deadline: float = READINESS_DEADLINE) -> dict[str, str]:
    """Names every dependency that is down, with the reason; empty when all are up."""
    futures = {name: _executor.submit(_in_thread, check) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=deadline)
    failures = {}
    for name, future in futures.items():
        if not future.done():
            logger.warning("readiness check %s gave no answer within %.1f s", name, deadline)
            failures[name] = NO_ANSWER
            continue
        reason = future.result()
        if reason is not None:
            failures[name] = reason
    return failures
