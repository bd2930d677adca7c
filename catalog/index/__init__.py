"""An in-memory index of the published catalog: the catalog page's facet counts and orders.

Split by job: `arrays` (the snapshot and how a request reads it), `build` (reading the
catalog into one), `freshness` (the count of committed changes and the span in time an index
holds for), `store` (this process's copy, the shared one in the cache, retiring them) and
`terms` (what a search term matches, cached for everyone).

Why it exists: with 100k items, counting every facet option in SQL means grouped passes over
the ~95k rows a person may see (200-300 ms), and sorting or ranking a broad search reads every
matching row (~50 ms). Neither result depends on who is asking beyond their audiences, and the
catalog changes a few times a day. So the few small values those need are kept per published
item as numpy arrays (about 5 MB at 100k items): format, level, language, provider, duration
band, session window, topics, audiences and the item's place in each sort order. A request
counts and orders with vectorised operations in a few milliseconds, and reads from the
database only the page's rows, through the visibility rule again
(`item_list_for_catalog_page`), so a page can never show an item that SQL would hide.

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

from .arrays import FORMAT, STARTS_WINDOWS, CatalogIndex, TermMatch
from .build import build_index
from .freshness import (
    CACHE_VERSION_KEY,
    MAX_AGE,
    SEARCH_TOKEN_KEY,
    TOKEN_KEY,
    cache_version,
    current_token,
    new_token,
    validity,
)
from .store import (
    BUILD_LOCK_KEY,
    INDEX_KEY,
    REFRESH_QUEUED_KEY,
    catalog_changed,
    catalog_index,
    forget_process_copies,
    process_copy,
    process_copy_keep,
    public_items,
    refresh_index,
    search_changed,
    shared_index_lasting,
    vocabularies,
)
from .terms import (
    RECENT_TERMS_KEY,
    TERM_MEMO_SIZE,
    prewarm_recent_terms,
    remembered_term_count,
    term_cache_key,
    term_forget,
    term_match,
)

__all__ = [
    "CACHE_VERSION_KEY",
    "cache_version",
    "BUILD_LOCK_KEY",
    "FORMAT",
    "INDEX_KEY",
    "MAX_AGE",
    "RECENT_TERMS_KEY",
    "REFRESH_QUEUED_KEY",
    "SEARCH_TOKEN_KEY",
    "STARTS_WINDOWS",
    "TERM_MEMO_SIZE",
    "TOKEN_KEY",
    "CatalogIndex",
    "TermMatch",
    "build_index",
    "catalog_changed",
    "catalog_index",
    "current_token",
    "forget_process_copies",
    "new_token",
    "prewarm_recent_terms",
    "process_copy",
    "public_items",
    "process_copy_keep",
    "refresh_index",
    "remembered_term_count",
    "search_changed",
    "shared_index_lasting",
    "vocabularies",
    "term_cache_key",
    "term_forget",
    "term_match",
    "validity",
]
