"""Reads of the catalog. Every one starts from `catalog.visibility`, never a rule of its own."""

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import get_language_info

from .filters import (
    DURATION_BAND_Q,
    GROUPED_FACETS,
    DurationBand,
    StartsWithin,
    sessions_ahead,
    starts_within_days,
    upcoming_sessions,
)
from .models import Item, Offering, Topic
from .search import normalize_search_term, search_items
from .visibility import (
    audiences_of,
    can_preview_unpublished,
    published_q,
    restricted_item,
    visible_items_q,
)

logger = logging.getLogger(__name__)

# Topic and provider facets list the options with most results first, up to this many (plus
# whatever the person has selected), so a catalog with hundreds of providers stays usable.
FACET_OPTION_LIMIT = 30
# Facet counts are shared by everyone who sees the same items, and a count a minute or two old
# is fine beside a result list that is always read fresh.
FACET_CACHE_SECONDS = 120
FACET_CACHE_PREFIX = "catalog:facets:v1:"
# Facets read from the combination query, and the column of a combination each one reads.
COMBINED_FACETS = {
    "format": "format",
    "level": "level",
    "language": "language",
    "duration": "duration_band",
    "starts": "starts_band",
}
# Session windows from the narrowest out: a session within 7 days is also within 30, 90 and
# "any", so a combination's band is the narrowest window it falls in.
_STARTS_WINDOWS = (
    StartsWithin.WEEK,
    StartsWithin.MONTH,
    StartsWithin.QUARTER,
    StartsWithin.ANY,
)


def item_list_visible_to(*, user, now: dt.datetime | None = None) -> QuerySet[Item]:
    """Published items the person may see."""
    return Item.objects.filter(published_q(now)).filter(visible_items_q(user))


def item_search_visible_to(
    *, user, term: str = "", now: dt.datetime | None = None, rank: bool = True
) -> QuerySet[Item]:
    """Published items the person may see that match `term` (all of them when it is blank).

    The one search selector: full-text and trigram on PostgreSQL, word matching on SQLite;
    annotated with `search_rank` unless `rank=False`.
    """
    return search_items(item_list_visible_to(user=user, now=now), term, rank=rank)


def item_list_for_catalog(*, user, now: dt.datetime | None = None) -> QuerySet[Item]:
    """Visible items with what a catalog card shows, all in the one query of the page.

    Adds `next_session_starts_at` (the soonest scheduled session that has not started) and
    `is_restricted` (the item has an audience, so the person sees it as one of its members).
    """
    now = now or timezone.now()
    # Cards never show the long description; the search vector is only read by the database.
    queryset = item_list_visible_to(user=user, now=now).defer("description", "search_vector")
    return queryset.annotate(
        next_session_starts_at=Subquery(
            upcoming_sessions(now).order_by("starts_at").values("starts_at")[:1]
        ),
        is_restricted=restricted_item(),
    )


def item_get_visible_to(*, user, slug: str, now: dt.datetime | None = None) -> Item | None:
    """The item if the person may see it; None otherwise, so callers answer 404, not 403.

    Learning admins also get unpublished and restricted items, to preview them. The item
    carries `is_public` (published and open to everyone) so the page can say when it is a
    preview, `is_restricted`, its topics and `upcoming_sessions` (scheduled, not started).
    """
    now = now or timezone.now()
    if can_preview_unpublished(user):
        queryset = Item.objects.all()
    else:
        queryset = item_list_visible_to(user=user, now=now)
    restricted = restricted_item()
    return (
        queryset.annotate(
            is_restricted=restricted,
            is_public=ExpressionWrapper(
                published_q(now) & ~Q(restricted), output_field=BooleanField()
            ),
        )
        .prefetch_related(
            "topics",
            Prefetch(
                "offerings",
                queryset=Offering.objects.filter(
                    status=Offering.Status.SCHEDULED, starts_at__gt=now
                ).order_by("starts_at"),
                to_attr="upcoming_sessions",
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


def _all_but(conditions: dict[str, Q], facet: str) -> Q:
    combined = Q()
    for name, condition in conditions.items():
        if name != facet:
            combined &= condition
    return combined


def language_label(code: str) -> str:
    """The English name of a language code, or the code itself when Django does not know it."""
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def item_facet_counts(
    *,
    user,
    term: str,
    conditions: dict[str, Q],
    selected: dict[str, list[str]],
    now: dt.datetime | None = None,
) -> FacetCounts:
    """Counts for every facet option over the items the person may see that match `term`.

    Disjunctive faceting: an option's count applies every chosen filter except its own facet's,
    so it says how many results choosing it would give. Three queries whatever the catalog
    size, each one pass over the matching items: the combination query (see
    `_combination_counts`) for the total and the format, level, duration, sessions and
    language facets, and one GROUP BY each for topics and providers. `selected` (the
    filterset's `selected()`) gives the chosen values; chosen topic, provider and language
    options stay listed even at 0.
    """
    now = now or timezone.now()
    base = item_search_visible_to(user=user, term=term, now=now, rank=False)
    # Filters that are not facets (a theme) narrow every count alike.
    for name, condition in conditions.items():
        if name not in COMBINED_FACETS and name not in GROUPED_FACETS:
            base = base.filter(condition)
    facet_conditions = {
        name: condition
        for name, condition in conditions.items()
        if name in COMBINED_FACETS or name in GROUPED_FACETS
    }
    counts = _combination_counts(base, facet_conditions, selected, now)

    topic_slugs = selected.get("topic", [])
    topic_items = base.filter(_all_but(facet_conditions, "topic")).values("pk")
    # One pass: the matching item ids are hashed once, then the through table is counted per
    # topic (an item holds a topic at most once, so no DISTINCT is needed).
    topic_rows = (
        Topic.objects.annotate(count=Count("items", filter=Q(items__in=topic_items)))
        .order_by("-count", "name")
        .values_list("slug", "name", "count")
    )
    counts.topics = _limit(
        [row for row in topic_rows if row[2] or row[0] in topic_slugs], topic_slugs
    )
    counts.providers = _grouped_counts(
        base.filter(_all_but(facet_conditions, "provider")).exclude(provider=""),
        "provider",
        selected.get("provider", []),
    )
    return counts


def item_facet_counts_cached(
    *,
    user,
    term: str,
    conditions: dict[str, Q],
    selected: dict[str, list[str]],
    now: dt.datetime | None = None,
) -> FacetCounts:
    """`item_facet_counts`, kept in the cache for FACET_CACHE_SECONDS.

    The key holds everything the counts depend on: the audiences the person belongs to (all
    that visibility reads of a person, so people who see the same items share an entry, and
    nobody is ever served counts computed for another audience), the normalized search term
    and the chosen filter values. A cache that is down only costs the recomputation.

    Counts that found nothing are not kept: the total also sizes the result list, and a
    cached zero would hide an item published (or a theme released) a moment ago.
    """
    key = facet_cache_key(user=user, term=term, selected=selected)
    try:
        counts = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is down: count from the database
        logger.warning("cache unavailable; counting catalog facets from the database")
        counts = None
    if counts is None:
        counts = item_facet_counts(
            user=user, term=term, conditions=conditions, selected=selected, now=now
        )
        try:
            if counts.total:
                cache.set(key, counts, FACET_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("cache unavailable; catalog facets not cached")
    return counts


def facet_cache_key(*, user, term: str, selected: dict[str, list[str]]) -> str:
    """The cache key of a person's facet counts for a search (one query: their audiences)."""
    if user.is_authenticated:
        audience = ["member", sorted(audiences_of(user).values_list("pk", flat=True))]
    else:
        audience = ["anonymous"]
    chosen = {name: values for name, values in sorted(selected.items()) if values}
    signature = json.dumps([audience, normalize_search_term(term), chosen], sort_keys=True)
    return FACET_CACHE_PREFIX + hashlib.sha256(signature.encode()).hexdigest()


def _in_option(row: dict, facet: str, option: str) -> bool:
    value = row[COMBINED_FACETS[facet]]
    if facet == "starts":
        return value is not None and _STARTS_WINDOWS.index(value) <= _STARTS_WINDOWS.index(option)
    return value == option


def _combination_counts(
    base: QuerySet,
    conditions: dict[str, Q],
    selected: dict[str, list[str]],
    now: dt.datetime,
) -> FacetCounts:
    """The total and the format, level, duration, sessions and language counts in one scan.

    Each matching item is reduced once to the values those facets read (its format, level,
    language, duration band and sessions window) and a yes/no for each chosen topic or
    provider filter; the items are counted per distinct combination (a few thousand rows at
    most, whatever the catalog size) and every facet's counts are summed from those here, each
    under all chosen filters but its own. No filter is evaluated more than once per item.
    """
    duration_band = Case(
        *[When(DURATION_BAND_Q[band], then=Value(band.value)) for band in DurationBand],
        default=None,
        output_field=CharField(),
    )
    # IN rather than EXISTS: PostgreSQL hashes each window's item ids once.
    starts_band = Case(
        *[
            When(
                pk__in=sessions_ahead(now, starts_within_days(window)).values("item_id"),
                then=Value(window.value),
            )
            for window in _STARTS_WINDOWS
        ],
        default=None,
        output_field=CharField(),
    )
    flags = {
        f"matches_{name}": ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in conditions.items()
        if name not in COMBINED_FACETS
    }
    rows = list(
        base.order_by()
        .annotate(duration_band=duration_band, starts_band=starts_band, **flags)
        .values(*COMBINED_FACETS.values(), *flags)
        .annotate(count=Count("pk"))
    )

    def holds(row: dict, name: str) -> bool:
        if name in COMBINED_FACETS:
            return any(_in_option(row, name, option) for option in selected.get(name, []))
        return bool(row[f"matches_{name}"])

    def counted_for(facet: str) -> list[dict]:
        return [row for row in rows if all(holds(row, n) for n in conditions if n != facet)]

    counts = FacetCounts(total=sum(row["count"] for row in counted_for("")))
    for facet, options in _static_options().items():
        under_others = counted_for(facet)
        counts.static[facet] = {
            option: sum(row["count"] for row in under_others if _in_option(row, facet, option))
            for option in options
        }
    languages: dict[str, int] = {}
    for row in counted_for("language"):
        languages[row["language"]] = languages.get(row["language"], 0) + row["count"]
    chosen = selected.get("language", [])
    ordered = sorted(languages.items(), key=lambda pair: (-pair[1], pair[0]))
    ordered += [(code, 0) for code in chosen if code not in languages]
    counts.languages = [
        (code, language_label(code), count)
        for code, _, count in _limit([(code, code, count) for code, count in ordered], chosen)
    ]
    return counts


def _static_options() -> dict[str, list[str]]:
    return {
        "format": list(Item.Format.values),
        "level": list(Item.Level.values),
        "duration": list(DurationBand.values),
        "starts": list(StartsWithin.values),
    }


def _grouped_counts(queryset: QuerySet, column: str, chosen: list[str]) -> list:
    rows = queryset.order_by().values_list(column).annotate(count=Count("pk"))
    found = {value: count for value, count in rows.order_by("-count", column)}
    for value in chosen:
        found.setdefault(value, 0)
    options = [(value, value, count) for value, count in found.items()]
    return _limit(options, chosen)


def _limit(options: list, chosen: list[str]) -> list:
    return [o for i, o in enumerate(options) if i < FACET_OPTION_LIMIT or o[0] in chosen]
