"""Aggregate widget counters: impressions, clicks and dismissals per day × item × variant.

The widget is rendered on every intranet page view, so a count must cost no SQL query. With
Redis, each event is one HINCRBY into a hash per day, and a beat task folds the hashes into
`WidgetDailyCount` rows. Without Redis (the embedded default) events are buffered in the
process and written in batches. Neither store ever records who saw or clicked what.
"""

import logging
import threading
import time
from collections import Counter

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

METRICS = ("impressions", "clicks", "dismissals")
HASH_PREFIX = "widgets:counts:"
BUFFER_FLUSH_SECONDS = 10


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


class RedisCounterStore:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        # Namespaced like the cache, so several deployments can share one Redis.
        self.prefix = f"{settings.CACHES['default'].get('KEY_PREFIX', 'lp')}:{HASH_PREFIX}"

    def add(self, fields: list[str]) -> None:
        key = self.prefix + timezone.localdate().isoformat()
        pipe = self.client.pipeline(transaction=False)
        for field in fields:
            pipe.hincrby(key, field, 1)
        pipe.expire(key, 60 * 60 * 24 * 7)
        pipe.execute()

    def drain(self) -> dict[str, Counter]:
        """Take each pending hash atomically (RENAME): no increment is lost or counted twice."""
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
        day = timezone.localdate().isoformat()
        with self.lock:
            counter = self.pending.setdefault(day, Counter())
            for field in fields:
                counter[field] += 1
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
                _store = RedisCounterStore(url) if url else BufferedCounterStore()
    return _store


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
