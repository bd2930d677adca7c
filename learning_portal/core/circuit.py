"""Per-process circuit breakers for the services a request may wait on (Redis, the database).

A frozen Redis accepts connections and never answers, so every call would wait its full
read timeout. After a failure the breaker *opens*: calls fail at once (`CircuitOpenError`)
for `reset_after` seconds, then one caller is let through to try again (*half-open*); its
success closes the breaker, its failure opens it for another period. A frozen dependency
therefore costs one short timeout per `reset_after` seconds per process, and every caller in
between takes the same path as when the service is plainly down.

Each breaker logs one line when it opens and one when it closes, not one per failed call.
"""

import logging
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

# Seconds an open breaker fails calls at once before letting one caller try again.
RESET_AFTER_SECONDS = 5.0


class CircuitOpenError(RedisConnectionError, ConnectionError):
    """Raised instead of calling a service whose breaker is open.

    Both redis-py's ConnectionError and Python's (an OSError, which kombu and the email
    tasks' retries treat as a connection failure), so code that already handles "the
    service is down" handles this the same way.
    """


class CircuitBreaker:
    def __init__(self, name: str, *, reset_after: float = RESET_AFTER_SECONDS):
        self.name = name
        self.reset_after = reset_after
        self._lock = threading.Lock()
        self._opened_at: float | None = None
        self._trial_running = False
        # Failures since the process started.
        self.failures = 0

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        """Whether a call may go ahead now (closed, or the one half-open trial)."""
        if self._opened_at is None:
            return True  # the common case, without taking the lock
        with self._lock:
            if self._opened_at is None:
                return True
            if self._trial_running:
                return False
            if time.monotonic() - self._opened_at >= self.reset_after:
                self._trial_running = True
                return True
            return False

    def check(self) -> None:
        if not self.allow():
            raise CircuitOpenError(f"{self.name} is unavailable (circuit open)")

    def success(self) -> None:
        if self._opened_at is None:
            return
        with self._lock:
            was_open = self._opened_at is not None
            self._opened_at = None
            self._trial_running = False
        if was_open:
            logger.warning("%s answers again; circuit closed", self.name)

    def failure(self, exc: BaseException) -> None:
        with self._lock:
            was_open = self._opened_at is not None
            self._opened_at = time.monotonic()
            self._trial_running = False
            self.failures += 1
        if not was_open:
            logger.warning(
                "%s unavailable (%s: %s); circuit open, calls fail fast for %.0f s",
                self.name,
                type(exc).__name__,
                exc,
                self.reset_after,
            )

    def reset(self) -> None:
        """Close without logging (tests, and a process that forked)."""
        with self._lock:
            self._opened_at = None
            self._trial_running = False
            self.failures = 0


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker(name: str) -> CircuitBreaker:
    """The process's breaker for one dependency, created on first use."""
    with _breakers_lock:
        found = _breakers.get(name)
        if found is None:
            found = _breakers[name] = CircuitBreaker(name)
        return found


def reset_all() -> None:
    for each in list(_breakers.values()):
        each.reset()
