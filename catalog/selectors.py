"""Reads of the catalog. Every one starts from `catalog.visibility`, never a rule of its own."""

import copy
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.utils import timezone
from django.utils.translation import get_language_info

from learning_portal.core.fragments import FragmentMemo

from .durations import DurationBand
from .filters import GROUPED_FACETS, STATIC_FACETS
from .index import MAX_AGE, catalog_index, current_token, public_items, term_match
from .models import Item
from .search import normalize_search_term
from .sessions import StartsWithin, sessions_ahead, upcoming_sessions
from .sorting import effective_sort
from .suggestions import search_suggestions
from .visibility import (
    audience_ids_of,
    can_preview_unpublished,
    published_q,
    restricted_item,
    visible_items_q,
)

# Topic and provider facets list the options with most results first, up to this many (plus
# whatever the person has selected), so a catalog with hundreds of providers stays usable.
FACET_OPTION_LIMIT = 30
FACETS = (*GROUPED_FACETS, *STATIC_FACETS)
# Facet counts and result masks by index build, audiences, term and chosen facet values: most
# people ask the index the same few questions (the first page, a common word). Up to ~350 kB
# each (the mask, a common word's match), so few are kept: workers stay under 250 MB.
searches = FragmentMemo(size=24, seconds=MAX_AGE.total_seconds())


def item_list_visible_to(
    *, user, now: dt.datetime | None = None, audience_ids: list[int] | None = None
) -> QuerySet[Item]:
    """Published items the person may see (`audience_ids`: see `visible_items_q`)."""
    return Item.objects.filter(published_q(now)).filter(
        visible_items_q(user, audience_ids=audience_ids)
    )


def item_list_for_catalog(
    *, user, now: dt.datetime | None = None, audience_ids: list[int] | None = None
) -> QuerySet[Item]:
    """Visible items with what a catalog card shows, all in the one query of the page.

    Adds `next_session_starts_at` (the soonest scheduled session that has not started) and
    `is_restricted` (the item has an audience, so the person sees it as one of its members).
    """
    now = now or timezone.now()
    return _with_card_fields(
        item_list_visible_to(user=user, now=now, audience_ids=audience_ids), now=now
    )


def _with_card_fields(queryset: QuerySet[Item], *, now: dt.datetime) -> QuerySet[Item]:
    # Cards never show the long description; the retired vector is read by nobody.
    return queryset.defer("description", "search_vector").annotate(
        next_session_starts_at=Subquery(
            upcoming_sessions(now).order_by("starts_at").values("starts_at")[:1]
        ),
        is_restricted=restricted_item(),
    )


def item_list_for_catalog_page(
    *, user, pks: list[int], now: dt.datetime, audience_ids: list[int] | None = None
) -> list[Item]:
    """`item_list_for_catalog(...).filter(pk__in=pks)`, in the order of `pks`, cheaper to build.

    The catalog page reads its rows through the visibility rule again, so that an index
    older than a write (a bulk update sends no signal) can never show a hidden item. Most
    items are open to everyone, so the rows are read with the publish window and whether
    each has an audience, and only restricted ones are checked against the person's
    audiences, with the whole rule (a second query, run only when the page holds any). The
    whole rule in the one query cost more to build than to run: a third of the page's CPU.
    """
    published = Item.objects.filter(published_q(now), pk__in=pks)
    rows = list(_with_card_fields(published, now=now).order_by())
    restricted = [item.pk for item in rows if item.is_restricted]
    if restricted:
        allowed = set(
            item_list_visible_to(user=user, now=now, audience_ids=audience_ids)
            .filter(pk__in=restricted)
            .values_list("pk", flat=True)
        )
        rows = [item for item in rows if not item.is_restricted or item.pk in allowed]
    by_pk = {item.pk: item for item in rows}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def item_cover_urls(*, item_ids: list[int]) -> dict[int, str]:
    """Item id → its cover image's URL, for the items among `item_ids` that have one.

    For cards built from something other than an Item (the widget's suggestions); the caller
    has already applied visibility to the ids.
    """
    rows = Item.objects.filter(pk__in=item_ids).exclude(image="").only("pk", "image")
    return {item.pk: item.image.url for item in rows}


def item_get_published_visible(*, user, slug: str, now: dt.datetime | None = None) -> Item | None:
    """`item_list_visible_to(user=user).filter(slug=slug).first()`, cheaper to build.

    Most items are open to everyone, so the item is read first with whether it has an
    audience, and only a restricted one is checked against the person's audiences (the same
    rule, in a second query). The full rule's query cost more to compile than to run: on
    the enroll POST it was half the request's CPU time in a rush (bench enrollment_load).
    """
    now = now or timezone.now()
    item = (
        Item.objects.filter(published_q(now), slug=slug)
        .annotate(is_restricted=restricted_item())
        .first()
    )
    if item is None or not item.is_restricted:
        return item
    if item_list_visible_to(user=user, now=now).filter(pk=item.pk).exists():
        return item
    return None


# The longest a public item's kept topics and sessions (catalog.index.public_items) serve.
PUBLIC_ITEM_SECONDS = 60


def item_get_visible_to(*, user, slug: str, now: dt.datetime | None = None) -> Item | None:
    """The item if the person may see it; None otherwise, so callers answer 404, not 403.

    Learning admins also get unpublished and restricted items, to preview them. The item
    carries `is_public` (published and open to everyone) so the page can say when it is a
    preview, `is_restricted`, its topics and `upcoming_sessions` (scheduled, not started).

    Most items are published and open to everyone, and then no more is asked: neither the
    person's audiences nor their permissions (two more queries, and the audience rule's
    query cost more to build than to run). Only for an item that is restricted or not
    published is the person checked: against the whole rule, or as a previewing admin.

    Who may see the item is decided from its row, read on every call. A public item's topics
    and sessions ahead (two queries) are kept per process and catalog version until the
    first moment they could differ without a write: its next session starting, or a minute
    at most. The version is read before the row, so a change that commits in between retires
    what was read. Each caller gets its own copies (the page annotates the sessions).
    """
    # Kept parts are for requests, which ask about the present; a caller's own `now` reads.
    keep = now is None
    now = now or timezone.now()
    token = current_token() if keep else None
    item = _item_row(slug=slug, now=now)
    if item is None:
        return None
    if not item.is_public and not (
        can_preview_unpublished(user)
        or item_list_visible_to(user=user, now=now).filter(pk=item.pk).exists()
    ):
        return None
    kept = public_items.get((token, item.pk)) if keep and item.is_public else None
    if kept is not None and kept[0] <= now < kept[1]:
        _attach(item, topics=kept[2], sessions=kept[3])
        return item
    prefetch_related_objects(
        [item],
        "topics",
        Prefetch(
            "offerings",
            queryset=sessions_ahead(now).order_by("starts_at"),
            to_attr="upcoming_sessions",
        ),
    )
    if keep and item.is_public:
        topics = list(item.topics.all())
        sessions = list(item.upcoming_sessions)
        until = min(
            [now + dt.timedelta(seconds=PUBLIC_ITEM_SECONDS)]
            + [session.starts_at for session in sessions[:1]]
        )
        public_items.put((token, item.pk), (now, until, topics, sessions))
        _attach(item, topics=topics, sessions=sessions)
    return item


def _attach(item: Item, *, topics: list, sessions: list) -> None:
    """Give `item` its own copies of kept topics and sessions, as its prefetch would."""
    item._prefetched_objects_cache = {"topics": _prefetched(item, "topics", topics)}
    item.upcoming_sessions = [copy.copy(session) for session in sessions]
    for session in item.upcoming_sessions:
        session.item = item


def _prefetched(item: Item, name: str, rows: list) -> QuerySet:
    # What prefetch_related leaves in the cache: the related manager's queryset, filled.
    queryset = getattr(item, name).all()
    queryset._result_cache = [copy.copy(row) for row in rows]
    queryset._prefetch_done = True
    return queryset


def _item_row(*, slug: str, now: dt.datetime) -> Item | None:
    restricted = restricted_item()
    return (
        Item.objects.annotate(
            is_restricted=restricted,
            is_public=ExpressionWrapper(
                published_q(now) & ~Q(restricted), output_field=BooleanField()
            ),
        )
        .filter(slug=slug)
        .first()
    )


@dataclass
class FacetCounts:
    """Result counts per filter option, each computed under the OTHER facets' filters.

    `static` maps a facet name to {value: count}; `topics`, `providers` and `languages` are
    lists of (value, label, count). `total` is the number of results with every filter.
    """

    total: int = 0
    static: dict[str, dict[str, int]] = field(default_factory=dict)
    topics: list[tuple[str, str, int]] = field(default_factory=list)
    providers: list[tuple[str, str, int]] = field(default_factory=list)
    languages: list[tuple[str, str, int]] = field(default_factory=list)


def language_label(code: str) -> str:
    """The English name of a language code, or the code itself when Django does not know it."""
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def item_language_options(*, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """(code, name) of the languages published items are taught in, by name: what a person
    may choose to learn in."""
    codes = (
        Item.objects.filter(published_q(now))
        .order_by()
        .values_list("language", flat=True)
        .distinct()
    )
    return sorted(((code, language_label(code)) for code in codes), key=lambda o: o[1])


class CatalogResults:
    """The ordered results of a catalog search, read from the database a page at a time.

    Sliced by the paginator; each slice reads only its items, through
    `item_list_for_catalog_page` (visibility and the publish window checked again in SQL),
    in the index's order.
    """

    def __init__(
        self, *, index, mask, sort: str, match, user, audience_ids, now: dt.datetime, total: int
    ):
        self._audience_ids = audience_ids
        self._index = index
        self._mask = mask
        self._sort = sort
        self._match = match
        self._user = user
        self._now = now
        self._total = total

    def __len__(self) -> int:
        return self._total

    def count(self) -> int:
        return self._total

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("catalog results are read a page (a slice) at a time")
        start, stop, _ = key.indices(self._total)
        if stop <= start:
            return []
        pks = self._index.page(
            self._mask, sort=self._sort, offset=start, limit=stop - start, match=self._match
        ).tolist()
        return item_list_for_catalog_page(
            user=self._user, pks=pks, now=self._now, audience_ids=self._audience_ids
        )


@dataclass
class CatalogSearch:
    facets: FacetCounts
    results: CatalogResults
    # The catalog version the index was built for (the count of committed catalog changes):
    # what the page shows of an item cannot change before it does (catalog.fragments).
    version: int | None = None


def item_catalog_search(
    *,
    user,
    term: str,
    conditions: dict[str, Q],
    selected: dict[str, list[str]],
    sort: str = "",
    now: dt.datetime | None = None,
) -> CatalogSearch:
    """The catalog page's results and facet counts, from the in-memory index.

    Disjunctive faceting: an option's count applies every chosen filter except its own
    facet's, so it says how many results choosing it would give. `selected` (the filterset's
    `selected()`) gives the chosen facet values; `conditions` (its `conditions()`) adds the
    filters that are not facets (a theme), read from the database. Chosen topic, provider and
    language options stay listed even at 0. `sort` is a `Sort` value or blank for the default.
    """
    now = now or timezone.now()
    index = catalog_index(now)
    audience_ids = _audience_ids(user)
    if all(name in FACETS for name in conditions):
        # Everyone with the same audiences asking the same of this index gets the same answer.
        key = (
            index.build_id,
            tuple(sorted(set(audience_ids))),
            normalize_search_term(term),
            tuple((name, tuple(selected[name])) for name in FACETS if selected.get(name)),
        )
        counts, matching, match = searches.get_or_render(
            key, lambda: _counted(index, audience_ids, term, conditions, selected)
        )
    else:
        counts, matching, match = _counted(index, audience_ids, term, conditions, selected)
    results = CatalogResults(
        index=index,
        mask=matching,
        sort=effective_sort(sort, has_term=match is not None),
        match=match,
        user=user,
        audience_ids=audience_ids,
        now=now,
        total=counts.total,
    )
    return CatalogSearch(facets=counts, results=results, version=index.token)


def _counted(index, audience_ids, term: str, conditions, selected) -> tuple:
    """(the facet counts, the mask of the results, the term's match) for `item_catalog_search`."""
    base = index.visible_mask(audience_ids)
    match = None
    if normalize_search_term(term):
        match = term_match(index, term)
        base &= index.mask_of(match.positions)
    for name, condition in conditions.items():
        if name not in FACETS:
            ids = Item.objects.filter(condition).values_list("pk", flat=True)
            base &= index.mask_of(index.positions_of(list(ids)))
    masks = {name: index.option_mask(name, selected[name]) for name in FACETS if selected.get(name)}

    def under_others(facet: str) -> np.ndarray:
        mask = base.copy()
        for name, chosen in masks.items():
            if name != facet:
                mask &= chosen
        return mask

    matching = under_others("")
    counts = FacetCounts(total=int(np.count_nonzero(matching)))
    for facet, options in _static_options().items():
        found = index.option_counts(facet, under_others(facet))
        counts.static[facet] = {option: found.get(option, 0) for option in options}

    chosen = selected.get("language", [])
    found = index.option_counts("language", under_others("language"))
    counts.languages = [
        (code, language_label(code), count)
        for code, _, count in _ranked(found, chosen, lambda code: code)
    ]
    counts.providers = _ranked(
        index.option_counts("provider", under_others("provider")),
        selected.get("provider", []),
        lambda provider: provider,
    )
    chosen = [slug for slug in selected.get("topic", []) if slug in index.topic_names]
    counts.topics = _ranked(
        index.option_counts("topic", under_others("topic")),
        chosen,
        lambda slug: index.topic_names[slug],
    )
    return counts, matching, match


def item_search_suggestions(*, user, term: str, now: dt.datetime | None = None):
    """For a search that found nothing: a corrected term that finds something, and topics."""
    return search_suggestions(
        term=term, audience_ids=_audience_ids(user), now=now or timezone.now()
    )


def _audience_ids(user) -> list[int]:
    """The audiences the person belongs to (one query); none for an anonymous visitor."""
    return audience_ids_of(user)


def _ranked(found: dict[str, int], chosen: list[str], label) -> list[tuple[str, str, int]]:
    """(value, label, count) by count then label; chosen values always, at 0 if need be."""
    rows = [(value, label(value), count) for value, count in found.items()]
    rows += [(value, label(value), 0) for value in chosen if value not in found]
    rows.sort(key=lambda row: (-row[2], row[1]))
    return _limit(rows, chosen)


def _static_options() -> dict[str, list[str]]:
    return {
        "format": list(Item.Format.values),
        "level": list(Item.Level.values),
        "duration": list(DurationBand.values),
        "starts": list(StartsWithin.values),
    }


def _limit(options: list, chosen: list[str]) -> list:
    return [o for i, o in enumerate(options) if i < FACET_OPTION_LIMIT or o[0] in chosen]
