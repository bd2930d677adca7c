"""The index's arrays: one snapshot of the published catalog, and how a request reads it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ..sessions import StartsWithin
from ..sorting import Sort

# Change FORMAT whenever what is pickled into the cache (CatalogIndex, a term's match) changes
# shape: during a rolling deploy old and new processes then keep apart instead of unpickling
# each other's objects.
FORMAT = 5
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
NEVER = np.iinfo(np.int64).max
# Positions and ranks fit 32 bits (two billion items); ids stay 64-bit like the primary key.
POSITION = np.int32


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
        return np.sort(lookup(self.sorted_pks, self.sorted_positions, pks)[1])

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


def lookup(sorted_pks: np.ndarray, sorted_positions: np.ndarray, ids) -> tuple:
    """(which of `ids` are in the index, the position of each of those, in the same order)."""
    ids = np.asarray(ids, dtype=np.int64)
    size = len(sorted_pks)
    if not len(ids) or not size:
        return np.zeros(len(ids), dtype=bool), np.empty(0, dtype=POSITION)
    found = np.minimum(np.searchsorted(sorted_pks, ids), size - 1)
    hit = sorted_pks[found] == ids
    return hit, sorted_positions[found[hit]]


def ranks_of(order: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(order), dtype=POSITION)
    ranks[order] = np.arange(len(order), dtype=POSITION)
    return ranks


def micros(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)
