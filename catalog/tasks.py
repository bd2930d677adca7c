import contextlib

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .index import REFRESH_QUEUED_KEY, prewarm_recent_terms, refresh_index, shared_index_lasting
from .suggestions import prewarm_vocabulary

# Beat's interval for the refresh (CELERY_BEAT_SCHEDULE) and a margin: an index that will
# still be current at the next run is not rebuilt.
REFRESH_AHEAD_SECONDS = 30 + 15


@shared_task(ignore_result=True)
def refresh_catalog_index() -> int:
    """Rebuild the catalog index and share it, so requests find a current one ready.

    Beat runs it every 30 seconds (the index ages out after `catalog.index.MAX_AGE`, or sooner
    when a session starts) and it rebuilds only an index that would not last until the next
    run; a catalog write queues it after the commit (a new version: always rebuilt). It then
    matches the terms searched lately that are not cached (after search documents changed:
    all of them), so the next person to search a common word does not wait for it. Returns
    the item count.
    """
    with contextlib.suppress(Exception):  # the cache is down: nothing was marked either
        cache.delete(REFRESH_QUEUED_KEY)
    index = shared_index_lasting(REFRESH_AHEAD_SECONDS) or refresh_index()
    prewarm_recent_terms(index)
    # After a write, the first search that finds nothing would read every title for "did
    # you mean" (1.4 s at 100k items, bench catalog_http); the worker reads them instead.
    prewarm_vocabulary(index, timezone.now())
    return index.size
