"""Aggregate widget counters: impressions, clicks and dismissals per day × item × variant.

The widget is rendered on every intranet page view, so a count must cost no SQL query. With
Redis, each process gathers events for up to a second and adds them with HINCRBY into a hash
per day; a beat task folds the hashes into `WidgetDailyCount` rows. Without Redis (the
embedded default) events are buffered in the process and written in batches. Neither store
ever records who saw or clicked what.
"""

import atexit
import logging
import threading
import time
from collections import Counter

from django.conf import settings

from learning_portal.core.cache import UNAVAILABLE
from learning_portal.core.timezones import portal_today

logger = logging.getLogger(__name__)

METRICS = ("impressions", "clicks", "dismissals")
HASH_PREFIX = "widgets:counts:"
BUFFER_FLUSH_SECONDS = 10
PUSH_SECONDS = 1.0
PUSH_EVENTS = 500
# While Redis is unavailable, counts wait in the process up to this many events (a few MB);
# beyond that they are dropped, since aggregate analytics can bear a gap.
HELD_EVENTS_MAX = 200_000


def _field(*, item_id: int, variant: str, department_id: int | None, metric: str) -> str:
    return f"i:{item_id}:{variant}:{department_id or 0}:{metric}"


def _rejection_field(reason: str) -> str:
    return f"t:{reason}"


def parse_field(field: str) -> tuple:
    """('i', item_id, variant, department_id|None, metric) or ('t', reason)."""
    parts = field.split(":")
    if parts[0] == "t":
        return ("t", parts[1])
    _, item_id, variant, department_id, metric = parts
    return ("i", int(item_id), variant, int(department_id) or None, metric)


def _tally(pending: dict[str, Counter], fields: list[str]) -> None:
    """One event per field into today's counter; the caller holds the store's lock."""
    pending.setdefault(portal_today().isoformat(), Counter()).update(fields)


class RedisCounterStore:
    def __init__(self, url: str):
        import redis

        from learning_portal.core.circuit import breaker

        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
            socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        )
        # A frozen Redis costs one short timeout per few seconds, not one per widget view.
        self.breaker = breaker("Redis widget counters")
        # Namespaced like the cache, so several deployments can share one Redis.
        self.prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', 'lp')}:{HASH_PREFIX}"

        # Events wait here for up to PUSH_SECONDS (or PUSH_EVENTS) and go to Redis in one
        # pipeline: a round trip per widget view would be a noticeable share of its cost.
        # A crash loses at most that second of counts, which aggregate analytics can bear.
        self.lock = threading.Lock()
        self.pending: dict[str, Counter] = {}
        self.pending_events = 0
        self.last_push = time.monotonic()

    def add(self, fields: list[str]) -> None:
        with self.lock:
            if self.pending_events >= HELD_EVENTS_MAX:
                return  # Redis has been unavailable a long while: see HELD_EVENTS_MAX
            _tally(self.pending, fields)
            self.pending_events += len(fields)
            due = (
                self.pending_events >= PUSH_EVENTS
                or time.monotonic() - self.last_push >= PUSH_SECONDS
            )
        if due:
            self.push()

    def push(self) -> None:
        if not self.breaker.allow():
            with self.lock:
                self.last_push = time.monotonic()
            return
        with self.lock:
            pending, self.pending = self.pending, {}
            events, self.pending_events = self.pending_events, 0
            self.last_push = time.monotonic()
        if not pending:
            self.breaker.success()
            return
        pipe = self.client.pipeline(transaction=False)
        for day, counter in pending.items():
            key = self.prefix + day
            for field, value in counter.items():
                pipe.hincrby(key, field, value)
            pipe.expire(key, 60 * 60 * 24 * 7)
        try:
            pipe.execute()
        except UNAVAILABLE as exc:
            self.breaker.failure(exc)
            self._hold_back(pending, events)
            raise
        self.breaker.success()

    def _hold_back(self, pending: dict[str, Counter], events: int) -> None:
        """Put counts that did not reach Redis back in the buffer, within HELD_EVENTS_MAX."""
        with self.lock:
            if self.pending_events + events > HELD_EVENTS_MAX:
                logger.warning("widget counters: Redis unavailable, %d events dropped", events)
                return
            for day, counter in pending.items():
                self.pending.setdefault(day, Counter()).update(counter)
            self.pending_events += events

    def drain(self) -> dict[str, Counter]:
        """Take each pending hash atomically (RENAME): no increment is lost or counted twice."""
        self.push()
        drained: dict[str, Counter] = {}
        for raw_key in self.client.scan_iter(match=self.prefix + "*"):
            key = raw_key.decode()
            if key.endswith(":draining"):
                continue
            draining = f"{key}:{time.time_ns()}:draining"
            try:
                self.client.rename(key, draining)
            except Exception:  # noqa: BLE001 - another flusher took it first
                continue
            values = self.client.hgetall(draining)
            self.client.delete(draining)
            day = key.removeprefix(self.prefix)
            counter = drained.setdefault(day, Counter())
            for field, value in values.items():
                counter[field.decode()] += int(value)
        return drained


class BufferedCounterStore:
    """In-process buffer for the embedded setup; flushed every few seconds by the next event."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[str, Counter] = {}
        self.last_flush = time.monotonic()

    def add(self, fields: list[str]) -> None:
        with self.lock:
            _tally(self.pending, fields)
            due = time.monotonic() - self.last_flush > BUFFER_FLUSH_SECONDS
        if due:
            from .services import widget_counts_flush

            widget_counts_flush()

    def drain(self) -> dict[str, Counter]:
        with self.lock:
            drained, self.pending = self.pending, {}
            self.last_flush = time.monotonic()
        return drained


_store = None
_store_lock = threading.Lock()


def get_store():
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                url = settings.REDIS_URL
                if url:
                    _store = RedisCounterStore(url)
                    # What the last second gathered goes to Redis when the worker exits.
                    atexit.register(_push_quietly, _store)
                else:
                    _store = BufferedCounterStore()
    return _store


def _push_quietly(store) -> None:
    try:
        store.push()
    except Exception:  # noqa: BLE001 - shutting down; counts are best effort
        logger.warning("widget counters could not be pushed at exit")


def reset_store() -> None:
    """Forget the store (tests switch settings)."""
    global _store
    _store = None


def _safe_add(fields: list[str]) -> None:
    if not fields:
        return
    try:
        get_store().add(fields)
    except Exception:  # noqa: BLE001 - counting must never break the widget
        logger.warning("widget counters unavailable; %d events not counted", len(fields))


def count_items(*, metric: str, item_ids, variant: str, department_id: int | None) -> None:
    _safe_add(
        [
            _field(item_id=item_id, variant=variant, department_id=department_id, metric=metric)
            for item_id in item_ids
        ]
    )


def count_token_rejection(reason: str) -> None:
    _safe_add([_rejection_field(reason)])
