"""Reads of the catalog. Every one starts from `catalog.visibility`, never a rule of its own."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import get_language_info

from .filters import (
    DURATION_BAND_Q,
    GROUPED_FACETS,
    DurationBand,
    StartsWithin,
    starts_within_q,
    upcoming_sessions,
)
from .models import Item, Offering, Topic
from .search import search_items
from .visibility import can_preview_unpublished, published_q, visible_items_q

# Topic and provider facets list the options with most results first, up to this many (plus
# whatever the person has selected), so a catalog with hundreds of providers stays usable.
FACET_OPTION_LIMIT = 30


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
        is_restricted=Exists(Item.audiences.through.objects.filter(item_id=OuterRef("pk"))),
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
    restricted = Exists(Item.audiences.through.objects.filter(item_id=OuterRef("pk")))
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


def _static_option_q(now: dt.datetime) -> dict[str, dict[str, Q]]:
    return {
        "format": {value: Q(format=value) for value in Item.Format.values},
        "level": {value: Q(level=value) for value in Item.Level.values},
        "duration": {band.value: DURATION_BAND_Q[band] for band in DurationBand},
        "starts": {value: starts_within_q(value, now) for value in StartsWithin.values},
    }


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
    so it says how many results choosing it would give. Four queries whatever the catalog
    size: one aggregate with a conditional COUNT per fixed option (format, level, duration,
    sessions) plus the total, and one GROUP BY each for topics, providers and languages.
    `selected` ({facet: values}) keeps chosen topic/provider/language options listed even at 0.
    """
    now = now or timezone.now()
    base = item_search_visible_to(user=user, term=term, now=now, rank=False)

    aggregates = {"total": Count("pk", filter=_all_but(conditions, ""))}
    for facet, options in _static_option_q(now).items():
        others = _all_but(conditions, facet)
        for value, option_q in options.items():
            aggregates[f"{facet}:{value}"] = Count("pk", filter=others & option_q)
    row = base.order_by().aggregate(**aggregates)
    counts = FacetCounts(total=row.pop("total"))
    for key, count in row.items():
        facet, value = key.split(":", 1)
        counts.static.setdefault(facet, {})[value] = count

    grouped = {name: base.filter(_all_but(conditions, name)) for name in GROUPED_FACETS}
    topic_slugs = selected.get("topic", [])
    # Uses the through table's item index; lists every topic with results plus chosen ones.
    topic_rows = (
        Topic.objects.annotate(
            count=Count(
                "items",
                filter=Q(items__in=grouped["topic"].values("pk")),
                distinct=True,
            )
        )
        .filter(Q(count__gt=0) | Q(slug__in=topic_slugs))
        .order_by("-count", "name")
        .values_list("slug", "name", "count")
    )
    counts.topics = _limit(list(topic_rows), topic_slugs)
    counts.providers = _grouped_counts(
        grouped["provider"].exclude(provider=""), "provider", selected.get("provider", [])
    )
    counts.languages = [
        (code, language_label(code), count)
        for code, _, count in _grouped_counts(
            grouped["language"], "language", selected.get("language", [])
        )
    ]
    return counts


def _grouped_counts(queryset: QuerySet, column: str, chosen: list[str]) -> list:
    rows = queryset.order_by().values_list(column).annotate(count=Count("pk"))
    found = {value: count for value, count in rows.order_by("-count", column)}
    for value in chosen:
        found.setdefault(value, 0)
    options = [(value, value, count) for value, count in found.items()]
    return _limit(options, chosen)


def _limit(options: list, chosen: list[str]) -> list:
    return [o for i, o in enumerate(options) if i < FACET_OPTION_LIMIT or o[0] in chosen]
