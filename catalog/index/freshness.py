"""When an index may be used: the count of committed changes, and its span in time."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Max, Min, Q

from learning_portal.core import dates

from ..models import CatalogVersion, Item, Offering
from ..sessions import starts_within_days
from .arrays import STARTS_WINDOWS

# The tokens are the counts of CatalogVersion (committed changes, read from the database).
TOKEN_KEY = "catalog"
# Changed only when search documents are written, so cached term matches outlive the many
# catalog writes that do not change what a term matches (sessions, audiences, publication).
SEARCH_TOKEN_KEY = "search"
# A bound on staleness after writes that send no signal (bulk updates); see the module doc.
MAX_AGE = dt.timedelta(seconds=90)
# Per thread: how often each count was asked for, and up to which ask it was raised.
_pending = threading.local()


def count_after_commit(key: str, *, then: Callable[[], None] | None = None) -> None:
    """Raise the count `key` once the current transaction commits (at once outside one).

    `then` runs after the count is raised, once per counted commit.

    A transaction's commit callbacks all run, one after the other, in the thread that
    committed; asked once per write, the count is raised by the first of them only. What this
    thread asked for since the last raise tells the two apart (`_pending`), so the next
    transaction's writes are counted again.
    """
    asked = _pending.__dict__
    asked[key] = asked.get(key, 0) + 1
    transaction.on_commit(lambda: _after_commit(key, then), robust=True)


def _after_commit(key: str, then: Callable[[], None] | None) -> None:
    asked = _pending.__dict__
    if asked.get(f"{key}:counted") == asked.get(key):
        return  # this commit is counted already
    asked[f"{key}:counted"] = asked.get(key)
    new_token(key)
    if then is not None:
        then()


def new_token(key: str) -> None:
    """Count a committed change (a database write, which a cache failure cannot lose)."""
    rows = CatalogVersion.objects.filter(pk=CatalogVersion.ROW)
    if not rows.update(**{key: F(key) + 1}):
        CatalogVersion.objects.get_or_create(
            pk=CatalogVersion.ROW, defaults={TOKEN_KEY: 1, SEARCH_TOKEN_KEY: 1}
        )


def current_token(key: str = TOKEN_KEY) -> int:
    """The count of committed changes (one small query)."""
    rows = CatalogVersion.objects.filter(pk=CatalogVersion.ROW)
    return rows.values_list(key, flat=True).first() or 0


def validity(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
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
    # Only times Python can read (2000–2100): the build leaves other rows out anyway.
    scheduled = scheduled.filter(starts_at__range=(dates.EARLIEST, dates.LATEST))
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
    start_ok = Q(publish_start__range=(dates.EARLIEST, dates.LATEST))
    end_ok = Q(publish_end__range=(dates.EARLIEST, dates.LATEST))
    publication = Item.objects.aggregate(
        next_open=Min("publish_start", filter=start_ok & Q(publish_start__gt=now)),
        next_close=Min("publish_end", filter=end_ok & Q(publish_end__gt=now)),
        last_open=Max("publish_start", filter=start_ok & Q(publish_start__lte=now)),
        last_close=Max("publish_end", filter=end_ok & Q(publish_end__lte=now)),
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
