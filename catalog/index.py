"""An in-memory index of the published catalog: the catalog page's facet counts and orders.

Why it exists: with 100k items, counting every facet option in SQL means grouped passes over
the ~95k rows a person may see (200-300 ms), and sorting or ranking a broad search reads every
matching row (~50 ms). Neither result depends on who is asking beyond their audiences, and the
catalog changes a few times a day. So the few small values those need are kept per published
item as numpy arrays (about 5 MB at 100k items): format, level, language, provider, duration
band, session window, topics, audiences and the item's place in each sort order. A request
counts and orders with vectorised operations in a few milliseconds, and reads from the
database only the page's rows, through the visibility rule again (`item_list_for_catalog`),
so a page can never show an item that SQL would hide.

What stays in SQL: who belongs to which audience (`visibility.audiences_of`, read per request),
what a search term matches and how well (`search.search_matches`, cached per term for
everyone until search documents change, see `term_match`), and filters that are not facets
(a theme). The index reuses the catalog's own expressions for
duration bands and session windows, so no rule is written twice.

Freshness: the index is a snapshot of the data at its build and is used only while
- its token is the current one: the count of committed writes to items, sessions, topics or
  audiences (`CatalogVersion`, in the database so no change is lost to a cache failure; one
  small query per request), which `catalog_changed` (wired by `catalog.signals`) raises after
  each commit, so the next request never reads an index older than a committed change (until
  the commit the old index is still right for every other connection);
- `now` is within [valid_from, valid_until): between the last and the next moment at which a
  session starts or enters a 7/30/90-day window or an item's publish window opens or closes
  (exact), and at most MAX_AGE after the build (a bound for bulk writes that send no
  signals).
A Celery beat task rebuilds it every 30 seconds and after every change, so requests normally
find a current one in the cache; a request that does not builds it (one thread per process,
one process at a time).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, CharField, F, Max, Min, Q, Value, When
from django.utils import timezone

from .filters import (
    DURATION_BAND_Q,
    DurationBand,
    Sort,
    StartsWithin,
    sessions_ahead,
    starts_within_days,
)
from .models import CatalogVersion, Item, Offering, Topic
from .search import normalize_search_term, search_matches
from .visibility import published_q

logger = logging.getLogger(__name__)

# Change FORMAT whenever what is pickled into the cache (CatalogIndex, a term's match) changes
# shape: during a rolling deploy old and new processes then keep apart instead of unpickling
# each other's objects.
FORMAT = 5
# The tokens are the counts of CatalogVersion (committed changes, read from the database).
TOKEN_KEY = "catalog"
# Changed only when search documents are written, so cached term matches outlive the many
# catalog writes that do not change what a term matches (sessions, audiences, publication).
SEARCH_TOKEN_KEY = "search"
INDEX_KEY = f"catalog:index:v{FORMAT}"
BUILD_LOCK_KEY = f"catalog:index:v{FORMAT}:building"
REFRESH_QUEUED_KEY = "catalog:index:refresh-queued"
# How long a queued refresh keeps others from queueing (in case it is lost with its worker).
REFRESH_QUEUED_SECONDS = 60
TERM_KEY_PREFIX = f"catalog:index:v{FORMAT}:term:"
# A bound on staleness after writes that send no signal (bulk updates); see the module doc.
MAX_AGE = dt.timedelta(seconds=90)
# How long a request waits for another process's build before building itself.
BUILD_WAIT_SECONDS = 3.0
BUILD_LOCK_SECONDS = 60
TERM_CACHE_SECONDS = 60 * 60
# Terms searched lately, most recent first, matched again ahead of readers after search
# documents change (`prewarm_recent_terms`), within a time budget.
RECENT_TERMS_KEY = "catalog:index:recent-terms"
RECENT_TERMS_KEPT = 200
PREWARM_TERMS = 100
PREWARM_SECONDS = 5.0
# Session windows from the narrowest out; an item's band is the narrowest its next session
# falls in. NO_SESSION marks items with no upcoming session.
STARTS_WINDOWS = (StartsWithin.WEEK, StartsWithin.MONTH, StartsWithin.QUARTER, StartsWithin.ANY)
NO_SESSION = len(STARTS_WINDOWS)
# Single-valued facets stored as one code per item: facet name -> Item column or annotation.
CODED_FACETS = {
    "format": "format",
    "level": "level",
    "language": "language",
    "provider": "provider",
    "duration": "duration_band",
}
_NEVER = np.iinfo(np.int64).max
# Positions and ranks fit 32 bits (two billion items); ids stay 64-bit like the primary key.
POSITION = np.int32

# This process's copy, so a request costs one cache read (the token), not an unpickling.
_memo: CatalogIndex | None = None
_build_lock = threading.Lock()
# Per thread: how often each count was asked for, and up to which ask it was raised.
_pending = threading.local()
# This process's most recently used term matches, by cache key (which holds the search token),
# oldest first: (the matched ids and ranks, the build they were last placed in, that placement).
_term_memo: dict[str, tuple] = {}
_term_memo_lock = threading.Lock()
TERM_MEMO_SIZE = 32


@dataclass
class TermMatch:
    """The index positions a search term matches (ascending) and their search rank."""

    positions: np.ndarray
    ranks: np.ndarray


@dataclass
class CatalogIndex:
    # Unique per build: term matches placed in one build are never used with another.
    build_id: str
    built_at: dt.datetime
    token: int | None
    # The search token when the build started: the key of this index's term matches.
    search_token: int | None
    # The time-dependent values (publication, session windows) hold on [valid_from,
    # valid_until): from the last such change before the build to the next one after it.
    valid_from: dt.datetime
    valid_until: dt.datetime
    # Item primary keys by position; positions follow the title order (title, pk).
    pks: np.ndarray
    # `pks` sorted, and the position of each, to turn ids into positions.
    sorted_pks: np.ndarray
    sorted_positions: np.ndarray
    # Single-valued facets: a code per position, and the value of each code (-1: none).
    codes: dict[str, np.ndarray]
    values: dict[str, list[str]]
    # Index into STARTS_WINDOWS of the narrowest window the next session is in, or NO_SESSION.
    starts_band: np.ndarray
    topic_positions: dict[str, np.ndarray]
    topic_names: dict[str, str]
    restricted: np.ndarray
    audience_positions: dict[int, np.ndarray]
    # Rank of each position in the sort orders other than title and relevance.
    order_ranks: dict[str, np.ndarray]

    @property
    def size(self) -> int:
        return len(self.pks)

    def covers(self, now: dt.datetime) -> bool:
        return self.valid_from <= now < self.valid_until

    def positions_of(self, pks) -> np.ndarray:
        """Ascending index positions of the given item ids; ids not in the index are dropped."""
        return np.sort(_lookup(self.sorted_pks, self.sorted_positions, pks)[1])

    def mask_of(self, positions: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        mask[positions] = True
        return mask

    def visible_mask(self, audience_ids) -> np.ndarray:
        """Open items, and restricted ones with an audience the person belongs to.

        The same rule as `visibility.visible_items_q`, over the snapshot: the person's
        audiences come from `visibility.audiences_of`, read fresh for every request.
        """
        visible = ~self.restricted
        for audience_id in audience_ids:
            positions = self.audience_positions.get(audience_id)
            if positions is not None:
                visible[positions] = True
        return visible

    def option_mask(self, facet: str, chosen: list[str]) -> np.ndarray:
        """Items holding any of the chosen values of a facet."""
        if facet == "topic":
            mask = np.zeros(self.size, dtype=bool)
            for slug in chosen:
                positions = self.topic_positions.get(slug)
                if positions is not None:
                    mask[positions] = True
            return mask
        if facet == "starts":
            widest = max(STARTS_WINDOWS.index(value) for value in chosen)
            return self.starts_band <= widest
        known = self.values[facet]
        wanted = [known.index(value) for value in chosen if value in known]
        return np.isin(self.codes[facet], wanted)

    def option_counts(self, facet: str, under: np.ndarray) -> dict[str, int]:
        """How many items of `under` hold each value of a facet (values with none left out)."""
        if facet == "topic":
            counts = {
                slug: int(np.count_nonzero(under[positions]))
                for slug, positions in self.topic_positions.items()
            }
            return {slug: count for slug, count in counts.items() if count}
        if facet == "starts":
            per_band = np.bincount(self.starts_band[under], minlength=NO_SESSION + 1)
            cumulative = np.cumsum(per_band[:NO_SESSION])
            return {window.value: int(cumulative[i]) for i, window in enumerate(STARTS_WINDOWS)}
        codes = self.codes[facet][under]
        per_code = np.bincount(codes[codes >= 0], minlength=len(self.values[facet]))
        return {
            value: int(per_code[code])
            for code, value in enumerate(self.values[facet])
            if per_code[code]
        }

    def page(
        self, mask: np.ndarray, *, sort: str, offset: int, limit: int, match: TermMatch | None
    ) -> np.ndarray:
        """Item ids of `mask` in the given order, `limit` of them from `offset`."""
        candidates = np.flatnonzero(mask)
        wanted = offset + limit
        if sort == Sort.TITLE:
            chosen = candidates[offset:wanted]
        else:
            if sort == Sort.RELEVANCE and match is not None:
                ranks = match.ranks[np.searchsorted(match.positions, candidates)]
                # Best rank first, then title order (the position), as SQL orders them.
                keys = np.lexsort((candidates, -ranks))
                ordered = candidates[keys]
                chosen = ordered[offset:wanted]
            else:
                ranks = self.order_ranks[sort][candidates]
                if len(candidates) > wanted * 4:
                    nearest = np.argpartition(ranks, wanted - 1)[:wanted]
                    candidates, ranks = candidates[nearest], ranks[nearest]
                chosen = candidates[np.argsort(ranks, kind="stable")][offset:wanted]
        return self.pks[chosen]


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
    _count_after_commit(TOKEN_KEY)


def search_changed() -> None:
    """Search documents changed (catalog.services.item_search_refresh): so did the catalog.

    Cached term matches are keyed by the search token, which changes after the commit like
    the catalog token, and before it: an index that sees a new catalog token never keeps an
    old search token.
    """
    with _term_memo_lock:  # this process reads its own writes back at once
        _term_memo.clear()
    _count_after_commit(SEARCH_TOKEN_KEY)
    catalog_changed()


def _count_after_commit(key: str) -> None:
    """Raise the count `key` once the current transaction commits (at once outside one).

    A transaction's commit callbacks all run, one after the other, in the thread that
    committed; asked once per write, the count is raised by the first of them only. What this
    thread asked for since the last raise tells the two apart (`_pending`), so the next
    transaction's writes are counted again.
    """
    asked = _pending.__dict__
    asked[key] = asked.get(key, 0) + 1
    transaction.on_commit(lambda: _after_commit(key), robust=True)


def _after_commit(key: str) -> None:
    asked = _pending.__dict__
    if asked.get(f"{key}:counted") == asked.get(key):
        return  # this commit is counted already
    asked[f"{key}:counted"] = asked.get(key)
    _new_token(key)
    if key == TOKEN_KEY:
        _retired()


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
        from .tasks import refresh_catalog_index

        refresh_catalog_index.delay()


def _new_token(key: str) -> None:
    """Count a committed change (a database write, which a cache failure cannot lose)."""
    rows = CatalogVersion.objects.filter(pk=CatalogVersion.ROW)
    if not rows.update(**{key: F(key) + 1}):
        CatalogVersion.objects.get_or_create(
            pk=CatalogVersion.ROW, defaults={TOKEN_KEY: 1, SEARCH_TOKEN_KEY: 1}
        )


def _current_token(key: str = TOKEN_KEY) -> int:
    """The count of committed changes (one small query)."""
    rows = CatalogVersion.objects.filter(pk=CatalogVersion.ROW)
    return rows.values_list(key, flat=True).first() or 0


def catalog_index(now: dt.datetime | None = None) -> CatalogIndex:
    """A current index for `now`: this process's copy, the shared one, or a new build."""
    now = now or timezone.now()
    token = _current_token()
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


def refresh_index(now: dt.datetime | None = None, *, token: int | None = None) -> CatalogIndex:
    """Build the index for `now` and share it through the cache (the beat task calls this)."""
    now = now or timezone.now()
    token = _current_token() if token is None else token
    index = build_index(now, token=token)
    try:
        # Not over a newer one: a write during the build has retired this index already.
        if _current_token() == token:
            cache.set(INDEX_KEY, index, timeout=int(MAX_AGE.total_seconds()) + 60)
    except Exception:  # noqa: BLE001
        logger.warning("cache unavailable; catalog index kept in this process only")
    return index


def build_index(now: dt.datetime, *, token: int | None) -> CatalogIndex:
    """Read the published catalog as of `now` into arrays (a handful of queries)."""
    # Read before the data, like `token`: a write during the build makes the index stale.
    search_token = _current_token(SEARCH_TOKEN_KEY) if token is not None else None
    duration_band = Case(
        *[When(DURATION_BAND_Q[band], then=Value(band.value)) for band in DurationBand],
        default=None,
        output_field=CharField(),
    )
    rows = list(
        Item.objects.filter(published_q(now))
        .annotate(duration_band=duration_band)
        .order_by("title", "pk")
        .values_list(
            "pk",
            *[column for column in CODED_FACETS.values()],
            "popularity",
            "created_at",
        )
    )
    size = len(rows)
    pks = np.fromiter((row[0] for row in rows), dtype=np.int64, count=size)
    sorted_positions = np.argsort(pks, kind="stable").astype(POSITION)
    sorted_pks = pks[sorted_positions]

    def positions(ids) -> np.ndarray:
        return np.sort(_lookup(sorted_pks, sorted_positions, ids)[1])

    codes: dict[str, np.ndarray] = {}
    values: dict[str, list[str]] = {}
    for column, facet in enumerate(CODED_FACETS, start=1):
        lookup: dict[str, int] = {}
        codes[facet] = np.fromiter(
            (
                -1 if row[column] in (None, "") else lookup.setdefault(row[column], len(lookup))
                for row in rows
            ),
            dtype=np.int32,
            count=size,
        )
        if len(lookup) < np.iinfo(np.int16).max:
            codes[facet] = codes[facet].astype(np.int16)
        values[facet] = list(lookup)

    # Next session per item and the session windows, with the catalog's own session rule.
    next_starts = dict(
        sessions_ahead(now)
        .values("item_id")
        .annotate(first=Min("starts_at"))
        .values_list("item_id", "first")
    )
    next_session = np.full(size, _NEVER, dtype=np.int64)
    starts_band = np.full(size, NO_SESSION, dtype=np.int8)
    if next_starts:
        ids = np.fromiter(next_starts, dtype=np.int64, count=len(next_starts))
        hit, at = _lookup(sorted_pks, sorted_positions, ids)
        stamps = np.fromiter(
            (_micros(next_starts[pk]) for pk in ids[hit].tolist()), dtype=np.int64, count=len(at)
        )
        next_session[at] = stamps
        for band in reversed(range(NO_SESSION)):
            days = starts_within_days(STARTS_WINDOWS[band])
            limit = _NEVER if days is None else _micros(now + dt.timedelta(days=days))
            starts_band[at[stamps <= limit]] = band

    topic_names = dict(Topic.objects.values_list("slug", "name"))
    topic_ids: dict[str, list[int]] = {}
    for item_id, slug in Item.topics.through.objects.values_list("item_id", "topic__slug"):
        topic_ids.setdefault(slug, []).append(item_id)
    audience_ids: dict[int, list[int]] = {}
    for item_id, audience_id in Item.audiences.through.objects.values_list(
        "item_id", "audience_id"
    ):
        audience_ids.setdefault(audience_id, []).append(item_id)
    audience_positions = {key: positions(ids) for key, ids in audience_ids.items()}
    restricted = np.zeros(size, dtype=bool)
    for at in audience_positions.values():
        restricted[at] = True

    title_order = np.arange(size, dtype=np.int64)
    popularity = np.fromiter((row[-2] for row in rows), dtype=np.int64, count=size)
    created = np.fromiter((_micros(row[-1]) for row in rows), dtype=np.int64, count=size)
    # np.lexsort sorts by its last key first; the title order (the position) breaks ties.
    order_ranks = {
        Sort.NEWEST: _ranks(np.lexsort((pks, -created))),
        Sort.POPULAR: _ranks(np.lexsort((title_order, -popularity))),
        Sort.SOONEST: _ranks(np.lexsort((title_order, next_session))),
    }
    valid_from, valid_until = _validity(now)
    return CatalogIndex(
        build_id=uuid.uuid4().hex,
        built_at=now,
        token=token,
        search_token=search_token,
        valid_from=valid_from,
        valid_until=valid_until,
        pks=pks,
        sorted_pks=sorted_pks,
        sorted_positions=sorted_positions,
        codes=codes,
        values=values,
        starts_band=starts_band,
        topic_positions={slug: positions(ids) for slug, ids in topic_ids.items()},
        topic_names=topic_names,
        restricted=restricted,
        audience_positions=audience_positions,
        order_ranks=order_ranks,
    )


def _validity(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The span around `now` in which the snapshot's time-dependent values do not change.

    They change when a session starts, when one enters a 7/30/90-day window (N days before
    it starts) and when a publish window opens or closes. The span ends at the first such
    moment after `now`, and at most MAX_AGE after it; it starts at the last one at or before
    `now`, so a request that began a moment before the build can use it too.
    """
    scheduled = Offering.objects.filter(status=Offering.Status.SCHEDULED)
    spans = {"start": dt.timedelta(0)}
    for window in STARTS_WINDOWS:
        days = starts_within_days(window)
        if days is not None:
            spans[f"enter_{days}"] = dt.timedelta(days=days)
    sessions = scheduled.aggregate(
        **{
            f"next_{name}": Min("starts_at", filter=Q(starts_at__gt=now + span))
            for name, span in spans.items()
        },
        **{
            f"last_{name}": Max("starts_at", filter=Q(starts_at__lte=now + span))
            for name, span in spans.items()
        },
    )
    publication = Item.objects.aggregate(
        next_open=Min("publish_start", filter=Q(publish_start__gt=now)),
        next_close=Min("publish_end", filter=Q(publish_end__gt=now)),
        last_open=Max("publish_start", filter=Q(publish_start__lte=now)),
        last_close=Max("publish_end", filter=Q(publish_end__lte=now)),
    )
    after = [now + MAX_AGE, publication["next_open"], publication["next_close"]]
    before = [publication["last_open"], publication["last_close"]]
    for name, span in spans.items():
        # A session enters a window of N days N days before it starts.
        if sessions[f"next_{name}"] is not None:
            after.append(sessions[f"next_{name}"] - span)
        if sessions[f"last_{name}"] is not None:
            before.append(sessions[f"last_{name}"] - span)
    valid_until = min(moment for moment in after if moment is not None)
    valid_from = max((moment for moment in before if moment is not None), default=None)
    return (valid_from if valid_from is not None else now - MAX_AGE), valid_until


def _lookup(sorted_pks: np.ndarray, sorted_positions: np.ndarray, ids) -> tuple:
    """(which of `ids` are in the index, the position of each of those, in the same order)."""
    ids = np.asarray(ids, dtype=np.int64)
    size = len(sorted_pks)
    if not len(ids) or not size:
        return np.zeros(len(ids), dtype=bool), np.empty(0, dtype=POSITION)
    found = np.minimum(np.searchsorted(sorted_pks, ids), size - 1)
    hit = sorted_pks[found] == ids
    return hit, sorted_positions[found[hit]]


def _ranks(order: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(order), dtype=POSITION)
    ranks[order] = np.arange(len(order), dtype=POSITION)
    return ranks


def _micros(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def term_cache_key(index: CatalogIndex, term: str) -> str | None:
    """Where a term's match is cached for an index; None for an index made without a token."""
    if index.search_token is None:
        return None
    digest = hashlib.sha256(normalize_search_term(term).encode()).hexdigest()
    return f"{TERM_KEY_PREFIX}{index.search_token}:{digest}"


def term_match(index: CatalogIndex, term: str) -> TermMatch:
    """What a search term matches in the index, with ranks; shared by everyone for a while.

    The match does not depend on who searches or when (visibility and the publish window are
    applied to it afterwards), only on the search documents, so it is cached per search token
    and normalized term: the first person to search a broad term pays for ranking its matches,
    the next ones only for the arithmetic. It is kept as item ids, so an index rebuilt for
    the clock or for a change elsewhere in the catalog still uses it.
    """
    key = term_cache_key(index, term)
    remembered = _term_memo.get(key) if key is not None else None
    if remembered is not None and remembered[1] == index.build_id:
        with _term_memo_lock:  # the most used terms stay
            if key in _term_memo:
                _term_memo[key] = _term_memo.pop(key)
        return remembered[2]
    matched = remembered[0] if remembered is not None else None
    if matched is None and key is not None:
        try:
            matched = cache.get(key)
        except Exception:  # noqa: BLE001
            matched = None
    if matched is None:
        matched = search_matches(term)
        if key is not None:
            with contextlib.suppress(Exception):  # uncached: the next search asks again
                cache.set(key, matched, TERM_CACHE_SECONDS)
                _note_recent_term(normalize_search_term(term))
    ids, ranks = matched
    hit, at = _lookup(index.sorted_pks, index.sorted_positions, ids)
    ascending = np.argsort(at, kind="stable")
    match = TermMatch(positions=at[ascending], ranks=ranks[hit][ascending])
    if key is not None:
        # The ids for any index, and their positions in this one (reused while it lasts).
        with _term_memo_lock:  # gthread workers: several requests share this dict
            _term_memo[key] = (matched, index.build_id, match)
            while len(_term_memo) > TERM_MEMO_SIZE:
                del _term_memo[next(iter(_term_memo))]
    return match


def _note_recent_term(term: str) -> None:
    """Put a term at the front of the recent terms (a hint: a lost race loses one term)."""
    recent = [term, *[other for other in cache.get(RECENT_TERMS_KEY, []) if other != term]]
    cache.set(RECENT_TERMS_KEY, recent[:RECENT_TERMS_KEPT], timeout=None)


def prewarm_recent_terms(index: CatalogIndex, *, budget_seconds: float = PREWARM_SECONDS) -> int:
    """Match the most recently searched terms for `index` before anyone asks; returns how many.

    After search documents change every cached match is retired with the old search token,
    and the first person to search a common word again would pay for ranking its matches.
    Terms already cached are skipped, so the beat task's runs in between cost a cache read
    each. Aggregate only: the terms were never linked to who searched them.
    """
    if index.search_token is None:
        return 0
    try:
        recent = cache.get(RECENT_TERMS_KEY, [])[:PREWARM_TERMS]
    except Exception:  # noqa: BLE001
        return 0
    deadline = time.monotonic() + budget_seconds
    matched = 0
    for term in recent:
        if time.monotonic() > deadline:
            break
        key = term_cache_key(index, term)
        if cache.get(key) is None:
            cache.set(key, search_matches(term), TERM_CACHE_SECONDS)
            matched += 1
    return matched
