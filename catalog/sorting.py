"""The catalog's sort orders, and which one a search is read in."""

from django.db.models import F, QuerySet, TextChoices


class Sort(TextChoices):
    RELEVANCE = "relevance", "Relevance"
    TITLE = "title", "Title A–Z"
    NEWEST = "newest", "Newest"
    SOONEST = "soonest", "Soonest session"
    POPULAR = "popular", "Most popular"


def effective_sort(sort: str, *, has_term: bool) -> str:
    """The order the results are read in: relevance for a search, otherwise most popular.

    Popular first, not A–Z: what colleagues choose is a better start than the alphabet.
    """
    if not sort:
        sort = Sort.RELEVANCE if has_term else Sort.POPULAR
    if sort == Sort.RELEVANCE and not has_term:
        sort = Sort.POPULAR
    return sort


def order_items(queryset: QuerySet, sort: str, *, has_term: bool) -> QuerySet:
    sort = effective_sort(sort, has_term=has_term)
    orderings = {
        Sort.RELEVANCE: (F("search_rank").desc(), "title", "pk"),
        Sort.TITLE: ("title", "pk"),
        Sort.NEWEST: ("-created_at", "pk"),
        Sort.SOONEST: (F("next_session_starts_at").asc(nulls_last=True), "title", "pk"),
        Sort.POPULAR: ("-popularity", "title", "pk"),
    }
    return queryset.order_by(*orderings[sort])
