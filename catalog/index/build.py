"""Reading the published catalog into a new index (a handful of queries)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import numpy as np
from django.db.models import Case, CharField, Min, Value, When

from ..durations import DURATION_BAND_Q, DurationBand
from ..models import Item, Topic
from ..sessions import sessions_ahead, starts_within_days
from ..sorting import Sort
from ..stored_times import unreadable_item_ids
from ..visibility import published_q
from .arrays import (
    CODED_FACETS,
    NEVER,
    NO_SESSION,
    POSITION,
    STARTS_WINDOWS,
    CatalogIndex,
    lookup,
    micros,
    ranks_of,
)
from .freshness import SEARCH_TOKEN_KEY, current_token, validity

logger = logging.getLogger(__name__)


def build_index(now: dt.datetime, *, token: int | None) -> CatalogIndex:
    """Read the published catalog as of `now` into arrays (a handful of queries)."""
    # Read before the data, like `token`: a write during the build makes the index stale.
    search_token = current_token(SEARCH_TOKEN_KEY) if token is not None else None
    duration_band = Case(
        *[When(DURATION_BAND_Q[band], then=Value(band.value)) for band in DurationBand],
        default=None,
        output_field=CharField(),
    )
    unreadable = unreadable_item_ids()
    if unreadable:
        logger.error(
            "catalog index: left out %d item(s) whose stored times are outside 2000–2100 "
            "(fix them in the admin or re-import them): ids %s",
            len(unreadable),
            ", ".join(str(pk) for pk in sorted(unreadable)),
        )
    rows = list(
        Item.objects.filter(published_q(now))
        .exclude(pk__in=sorted(unreadable))
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
        return np.sort(lookup(sorted_pks, sorted_positions, ids)[1])

    codes: dict[str, np.ndarray] = {}
    values: dict[str, list[str]] = {}
    for column, facet in enumerate(CODED_FACETS, start=1):
        code_of: dict[str, int] = {}
        codes[facet] = np.fromiter(
            (
                -1 if row[column] in (None, "") else code_of.setdefault(row[column], len(code_of))
                for row in rows
            ),
            dtype=np.int32,
            count=size,
        )
        if len(code_of) < np.iinfo(np.int16).max:
            codes[facet] = codes[facet].astype(np.int16)
        values[facet] = list(code_of)

    # Next session per item and the session windows, with the catalog's own session rule.
    next_starts = dict(
        sessions_ahead(now)
        .exclude(item_id__in=sorted(unreadable))
        .values("item_id")
        .annotate(first=Min("starts_at"))
        .values_list("item_id", "first")
    )
    next_session = np.full(size, NEVER, dtype=np.int64)
    starts_band = np.full(size, NO_SESSION, dtype=np.int8)
    if next_starts:
        ids = np.fromiter(next_starts, dtype=np.int64, count=len(next_starts))
        hit, at = lookup(sorted_pks, sorted_positions, ids)
        stamps = np.fromiter(
            (micros(next_starts[pk]) for pk in ids[hit].tolist()), dtype=np.int64, count=len(at)
        )
        next_session[at] = stamps
        for band in reversed(range(NO_SESSION)):
            days = starts_within_days(STARTS_WINDOWS[band])
            limit = NEVER if days is None else micros(now + dt.timedelta(days=days))
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
    created = np.fromiter((micros(row[-1]) for row in rows), dtype=np.int64, count=size)
    # np.lexsort sorts by its last key first; the title order (the position) breaks ties.
    order_ranks = {
        Sort.NEWEST: ranks_of(np.lexsort((pks, -created))),
        Sort.POPULAR: ranks_of(np.lexsort((title_order, -popularity))),
        Sort.SOONEST: ranks_of(np.lexsort((title_order, next_session))),
    }
    valid_from, valid_until = validity(now)
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
