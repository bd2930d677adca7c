from celery import shared_task

from .index import refresh_index


@shared_task(ignore_result=True)
def refresh_catalog_index() -> int:
    """Rebuild the catalog index and share it, so requests find a current one ready.

    Beat runs it every minute (the index ages out after `catalog.index.MAX_AGE`, or sooner when
    a session starts); a catalog write queues it after the commit. Returns the item count.
    """
    return refresh_index().size
