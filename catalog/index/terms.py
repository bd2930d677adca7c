"""What a search term matches in an index, cached for everyone and remembered per process."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time

import numpy as np
from django.core.cache import cache

from ..search import normalize_search_term, search_matches
from .arrays import FORMAT, CatalogIndex, TermMatch, lookup

TERM_KEY_PREFIX = f"catalog:index:v{FORMAT}:term:"
TERM_CACHE_SECONDS = 60 * 60
# Terms searched lately, most recent first, matched again ahead of readers after search
# documents change (`prewarm_recent_terms`), within a time budget.
RECENT_TERMS_KEY = "catalog:index:recent-terms"
RECENT_TERMS_KEPT = 200
PREWARM_TERMS = 100
PREWARM_SECONDS = 5.0
# This process's most recently used term matches, by cache key (which holds the search token),
# oldest first: (the matched ids and ranks, the build they were last placed in, that placement).
_term_memo: dict[str, tuple] = {}
_term_memo_lock = threading.Lock()
TERM_MEMO_SIZE = 32


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
    hit, at = lookup(index.sorted_pks, index.sorted_positions, ids)
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


def term_forget(index: CatalogIndex, term: str) -> None:
    """Forget a term's match, shared and in this process: its next search matches afresh."""
    key = term_cache_key(index, term)
    if key is None:
        return
    with contextlib.suppress(Exception):
        cache.delete(key)
    with _term_memo_lock:
        _term_memo.pop(key, None)


def forget_terms() -> None:
    """Forget this process's term placements (the shared matches in the cache stay)."""
    with _term_memo_lock:
        _term_memo.clear()


def remembered_term_count() -> int:
    """How many terms this process remembers (at most TERM_MEMO_SIZE)."""
    return len(_term_memo)
