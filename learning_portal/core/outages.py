"""The answer to a request when the database is unavailable: a 503 page and one log line.

A database outage fails every request at once; a traceback for each would bury the log
(40 in one short run). Instead each kind of failure (exception class and message) is
logged once per LOG_EVERY seconds per process, with the count of repeats since.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger("learning_portal.outages")

# The database errors that mean "unavailable", as opposed to a bug in a query.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
LOG_EVERY = 60.0
RETRY_AFTER_SECONDS = 30

_lock = threading.Lock()
_last_logged: dict[str, float] = {}
_repeats: dict[str, int] = {}


def is_database_unavailable(exc: BaseException | None) -> bool:
    # Django wraps the driver's and the pool's errors (PoolTimeout is an OperationalError).
    return isinstance(exc, DATABASE_UNAVAILABLE)


def _kind(exc: BaseException) -> str:
    first_line = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line[:200]}"


def log_once(what: str, exc: BaseException) -> None:
    """One line per kind of failure per LOG_EVERY seconds, with the repeats counted."""
    kind = f"{what}: {_kind(exc)}"
    now = time.monotonic()
    with _lock:
        last = _last_logged.get(kind)
        if last is not None and now - last < LOG_EVERY:
            _repeats[kind] = _repeats.get(kind, 0) + 1
            return
        repeats = _repeats.pop(kind, 0)
        _last_logged[kind] = now
    suffix = f" ({repeats} more since the last report)" if repeats else ""
    logger.error("%s%s", kind, suffix)


def reset() -> None:
    with _lock:
        _last_logged.clear()
        _repeats.clear()


def database_unavailable_response() -> HttpResponse:
    # Rendered without a request: no context processor, session or user may touch the
    # database that just failed.
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
