"""Where an index is kept: this process's copy, the shared copy in the cache, or a new build.

And what retires it: `catalog_changed` and `search_changed`, called for every write to what
the index holds (see the package docstring).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from learning_portal.core.fragments import FragmentMemo

from .arrays import FORMAT, CatalogIndex
from .build import build_index
from .freshness import MAX_AGE, SEARCH_TOKEN_KEY, TOKEN_KEY, count_after_commit, current_token
from .terms import forget_terms

logger = logging.getLogger("catalog.index")

INDEX_KEY = f"catalog:index:v{FORMAT}"
BUILD_LOCK_KEY = f"catalog:index:v{FORMAT}:building"
REFRESH_QUEUED_KEY = "catalog:index:refresh-queued"
# How long a queued refresh keeps others from queueing (in case it is lost with its worker).
REFRESH_QUEUED_SECONDS = 60
# How long a request waits for another process's build before building itself.
BUILD_WAIT_SECONDS = 3.0
BUILD_LOCK_SECONDS = 60

# This process's copy, so a request costs one cache read (the token), not an unpickling.
_memo: CatalogIndex | None = None
# Public items' topics and sessions ahead, by catalog token and item, kept and served by
# catalog.selectors.item_get_visible_to (which reads the row itself every time); dropped
# with the index copy, so this process's next request reads what it wrote. A few kB each.
public_items = FragmentMemo(size=2000, seconds=60)
# The "did you mean" vocabulary (catalog.suggestions), by catalog token: a few hundred kB.
vocabularies = FragmentMemo(size=2, seconds=60 * 60)
_build_lock = threading.Lock()


def catalog_changed() -> None:
    """Something the index holds changed: retire the current index when the change commits.

    Until the commit every other connection still reads the catalog as it was, so the index
    stays right for them (and a long import does not make every reader rebuild); the token
    changes after the commit, so a build that read the database before it is no longer used,
    and a rebuild is queued for the worker. This process drops its own copy at once too, so
    its next request reads what it wrote.
    """
    global _memo
    _memo = None
    public_items.clear()
    vocabularies.clear()
    count_after_commit(TOKEN_KEY, then=_retired)


def search_changed() -> None:
    """Search documents changed (catalog.services.item_search_refresh): so did the catalog.

    Cached term matches are keyed by the search token, which changes after the commit like
    the catalog token, and before it: an index that sees a new catalog token never keeps an
    old search token.
    """
    forget_terms()  # this process reads its own writes back at once
    count_after_commit(SEARCH_TOKEN_KEY)
    catalog_changed()


def _retired() -> None:
    """After a counted commit: drop this process's copy and queue a rebuild for the worker."""
    global _memo
    _memo = None
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No worker (the embedded default): the next reader rebuilds, once, instead of every
        # write of a transaction rebuilding inline as its commit callbacks run.
        return
    try:
        # One refresh waiting in the queue is enough; the task clears the mark as it starts,
        # so a later commit queues the next one.
        queued = cache.add(REFRESH_QUEUED_KEY, 1, timeout=REFRESH_QUEUED_SECONDS)
    except Exception:  # noqa: BLE001 - the cache is down: readers rebuild when they need to
        return
    if queued:
        from ..tasks import refresh_catalog_index

        try:
            # A hint, not a promise (beat rebuilds every 30 s), so no outbox row; with Redis
            # down the cache.add above has already failed.
            refresh_catalog_index.delay()
        except (KombuOperationalError, OSError) as exc:
            logger.warning("catalog index refresh not queued (broker unavailable: %s)", exc)


def catalog_index(now: dt.datetime | None = None) -> CatalogIndex:
    """A current index for `now`: this process's copy, the shared one, or a new build."""
    now = now or timezone.now()
    token = current_token()
    memo = _usable_memo(token, now)
    if memo is not None:
        return memo
    # One thread of this process looks further; the others wait for it and reuse its result.
    with _build_lock:
        return _usable_memo(token, now) or _fetch_or_build(token, now)


def _usable_memo(token: int, now: dt.datetime) -> CatalogIndex | None:
    memo = _memo
    if memo is not None and memo.token == token and memo.covers(now):
        return memo
    return None


def _fetch_or_build(token: int, now: dt.datetime) -> CatalogIndex:
    global _memo
    shared = _shared_index(token, now)
    if shared is None:
        shared = _build_once(token, now)
    _memo = shared
    return shared


def _shared_index(token: int, now: dt.datetime) -> CatalogIndex | None:
    try:
        shared = cache.get(INDEX_KEY)
    except Exception:  # noqa: BLE001
        return None
    if shared is not None and shared.token == token and shared.covers(now):
        return shared
    return None


def _build_once(token: int, now: dt.datetime) -> CatalogIndex:
    """Build and share an index; if another process is building one, wait for it a moment."""
    try:
        building_elsewhere = not cache.add(BUILD_LOCK_KEY, 1, timeout=BUILD_LOCK_SECONDS)
    except Exception:  # noqa: BLE001
        building_elsewhere = False
    if building_elsewhere:
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(0.05)
            shared = _shared_index(token, now)
            if shared is not None:
                return shared
    try:
        return refresh_index(now, token=token)
    finally:
        if not building_elsewhere:
            with contextlib.suppress(Exception):  # the lock expires by itself
                cache.delete(BUILD_LOCK_KEY)


def shared_index_lasting(seconds: float, now: dt.datetime | None = None) -> CatalogIndex | None:
    """The shared index if it is current and still covers `seconds` from now, else None.

    The beat task's refresh then has nothing to do: a rebuild would read the same catalog
    (about a second of PostgreSQL at 100k items, beside people's requests) for an index the
    next run rebuilds in time anyway.
    """
    now = now or timezone.now()
    shared = _shared_index(current_token(), now)
    if shared is not None and shared.covers(now + dt.timedelta(seconds=seconds)):
        return shared
    return None


def refresh_index(now: dt.datetime | None = None, *, token: int | None = None) -> CatalogIndex:
    """Build the index for `now` and share it through the cache (the beat task calls this)."""
    now = now or timezone.now()
    token = current_token() if token is None else token
    index = build_index(now, token=token)
    try:
        # Not over a newer one: a write during the build has retired this index already.
        if current_token() == token:
            cache.set(INDEX_KEY, index, timeout=int(MAX_AGE.total_seconds()) + 60)
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable; catalog index kept in this process only")
    return index


def process_copy() -> CatalogIndex | None:
    """The index this process holds (None until a request or a build loads one)."""
    return _memo


def process_copy_keep(index: CatalogIndex | None) -> None:
    """Hold `index` as this process's copy, as a process that loaded it earlier would."""
    global _memo
    _memo = index


def forget_process_copies() -> None:
    """Drop this process's copy of the index, its term placements and its public items: as
    a new process would start.

    The shared copies in the cache stay.
    """
    process_copy_keep(None)
    public_items.clear()
    vocabularies.clear()
    forget_terms()
