"""The outbox sweeper: publishes what a write recorded while the broker was unavailable."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import services

# A row younger than this is left to the on-commit dispatch of the request that wrote it.
SETTLE = datetime.timedelta(seconds=10)
# Published rows are kept this long for the admin's history, then deleted.
KEEP_DISPATCHED = datetime.timedelta(days=7)


@shared_task(ignore_result=True)
def dispatch_outbox() -> int:
    """Beat: publish every settled outbox row; returns how many were published."""
    now = timezone.now()
    services.outbox_prune(dispatched_before=now - KEEP_DISPATCHED)
    published = 0
    while True:
        batch = services.outbox_dispatch(settled_before=now - SETTLE)
        published += batch
        if batch < services.DISPATCH_BATCH:
            return published
