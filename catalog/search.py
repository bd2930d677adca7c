"""Catalog free-text search: PostgreSQL full-text plus trigram typo tolerance, SQLite fallback.

`search_items` is the only entry point; callers never branch on the database vendor.
"""

import re

import numpy as np
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

# The text search configuration used both to build `SearchDocument.vector` and to parse queries;
# they must match or stemmed words would not meet.
SEARCH_CONFIG = "english"
MAX_TERM_LENGTH = 200
# Whether a title is a typo match at all is decided by pg_trgm's `%>` operator (its
# word_similarity_threshold, 0.6 by default), which the GIN trigram index on the title serves.
# Typo matches are looked for only when the words themselves match fewer documents than this
# (a couple of pages' worth). A misspelt query ("leadrship") matches nothing and gets them; a
# common word does not need them: its typo-only titles rank after every one of its full-text
# matches, and testing each candidate title's word similarity was three quarters of a first
# search for "leadership" (about 60 of 80 ms at 100k items, 21k full-text matches).
TYPO_MATCHES_BELOW = 50

_WHITESPACE = re.compile(r"\s+")
# websearch syntax: "-word" excludes a word; quotes group a phrase; "or" joins alternatives.
_NEGATED = re.compile(r"(?:^|\s)-([^\s\"]+)")
_SYNTAX = re.compile(r'["()]|(?:^|\s)or(?=\s|$)')


def _split_term(term: str) -> tuple[str, list[str]]:
    """(the words to look for, the words to exclude), websearch syntax removed."""
    excluded = _NEGATED.findall(term)
    wanted = _SYNTAX.sub(" ", _NEGATED.sub(" ", term))
    return _WHITESPACE.sub(" ", wanted).strip(), excluded


def normalize_search_term(term: str) -> str:
    """Lowercased, trimmed, whitespace collapsed, at most MAX_TERM_LENGTH characters."""
    return _WHITESPACE.sub(" ", term).strip().lower()[:MAX_TERM_LENGTH].strip()


def search_items(queryset: QuerySet, term: str, *, rank: bool = True) -> QuerySet:
    """Items of `queryset` matching `term`, annotated with `search_rank` (higher is better).

    PostgreSQL: websearch syntax ("quoted phrases", -exclusions, or) against the weighted
    search document (`SearchDocument.vector`), ranked with SearchRank, OR a trigram word
    match on the title so a typo ("leadrship") still finds the item; the typo match only
    while the words match fewer than TYPO_MATCHES_BELOW documents. Elsewhere: every word
    must appear (case-insensitive) in the title, summary, description, provider or topic
    names; titles that contain the whole term rank first. `rank=False` only filters (for
    counts, where order is moot).
    """
    term = normalize_search_term(term)
    if not term:
        if not rank:
            return queryset
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        return _search_postgresql(queryset, term, rank)
    return _search_fallback(queryset, term, rank)


def _search_postgresql(queryset: QuerySet, term: str, rank: bool) -> QuerySet:
    full_text, typo, query, wanted = _postgresql_matches(term, "search_document__")
    if not _wants_typo_matches(term):
        queryset = queryset.filter(full_text)
        if not rank:
            return queryset
        return queryset.annotate(search_rank=SearchRank(F("search_document__vector"), query))
    queryset = queryset.filter(full_text | typo)
    if not rank:
        return queryset
    # Full-text matches rank by ts_rank (>= 0); typo-only matches follow them, by trigram
    # similarity (shifted below 0). Computing the similarity only where full text failed keeps
    # broad terms cheap: "leadership" matches some 20k titles at 100k items.
    return queryset.annotate(
        search_rank=Case(
            When(full_text, then=SearchRank(F("search_document__vector"), query)),
            default=TrigramWordSimilarity(wanted, "search_document__title") - Value(1.0),
            output_field=FloatField(),
        )
    )


class ParsedOnceSearchQuery(SearchQuery):
    """A SearchQuery that PostgreSQL parses once per query, not once per row it tests.

    As a scalar subquery (an InitPlan) the parsed query is a parameter of the plan. Written
    inline, the planner pre-parses it to estimate how many documents match, and for a common
    word ("leadership": 22k of 100k documents) it then chose to read every document and test
    each title's trigram similarity (~1 s) over the two indexes (~0.1 s); and every row the
    CASE of the rank or an exclusion tested parsed the query again. Unestimated, a match
    counts as rare, and the indexes are used for every term.
    """

    template = "(SELECT %(function)s(%(expressions)s))"


def _wants_typo_matches(term: str) -> bool:
    """Whether the words match fewer than TYPO_MATCHES_BELOW documents (published or not,
    whoever asks, so that every path decides alike). One query, capped at that count."""
    from .models import SearchDocument

    full_text = _postgresql_matches(term, "")[0]
    return SearchDocument.objects.filter(full_text)[:TYPO_MATCHES_BELOW].count() < (
        TYPO_MATCHES_BELOW
    )


def _postgresql_matches(term: str, document: str) -> tuple[Q, Q, SearchQuery, str]:
    """(full-text match, typo match on the title, the parsed query, the wanted words).

    `document` is the path from the queried model to the search document ("" from it).
    """
    query = ParsedOnceSearchQuery(term, search_type="websearch", config=SEARCH_CONFIG)
    wanted, excluded = _split_term(term)
    # The typo match looks at the wanted words only, and still honours "-word" exclusions.
    similar_title = f"{document}title__trigram_word_similar"
    typo = Q(**{similar_title: wanted}) if wanted else Q(pk__in=[])
    for word in excluded:
        typo &= ~Q(**{f"{document}vector": ParsedOnceSearchQuery(word, config=SEARCH_CONFIG)})
    # Uses index: catalog_searchdocument_vector_gin (@@), catalog_searchdocument_title_trgm (%>).
    return Q(**{f"{document}vector": query}), typo, query, wanted


def search_matches(term: str) -> tuple[np.ndarray, np.ndarray]:
    """(item ids, search ranks) of every item, published or not, that `term` matches.

    The same matches and ranks as `search_items(Item.objects.all(), term)`, read the fast way
    for the catalog index (catalog.index), which applies visibility itself: on PostgreSQL
    from the narrow search documents alone, without joining the wide item rows.
    """
    from .models import Item, SearchDocument

    term = normalize_search_term(term)
    if not term:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    if connection.vendor != "postgresql":
        matches = search_items(Item.objects.all(), term).values_list("pk", "search_rank")
        return _arrays(list(matches))
    full_text, typo, query, wanted = _postgresql_matches(term, "")
    # The full-text matches first; their count says whether typo matches are wanted (the
    # rule `_wants_typo_matches` applies, without a query of its own here).
    documents = SearchDocument.objects.filter(full_text).annotate(
        rank=SearchRank(F("vector"), query)
    )
    ids, ranks = read_id_rank_pairs(
        *documents.values_list("item_id", "rank").query.sql_with_params()
    )
    if len(ids) >= TYPO_MATCHES_BELOW or not wanted:
        # No words to look like ("-children", "or"): no typo matches (as in search_items).
        return ids, ranks
    # Then the titles that only look like the words, ranked below every full-text match.
    typos = (
        SearchDocument.objects.filter(typo)
        .exclude(full_text)
        .annotate(rank=TrigramWordSimilarity(wanted, "title") - Value(1.0))
    )
    typo_ids, typo_ranks = read_id_rank_pairs(
        *typos.values_list("item_id", "rank").query.sql_with_params()
    )
    return np.concatenate([ids, typo_ids]), np.concatenate([ranks, typo_ranks])


def read_id_rank_pairs(sql: str, params) -> tuple[np.ndarray, np.ndarray]:
    """(ids, ranks) of a two-column query, read as two byte strings straight into numpy.

    A common word matches tens of thousands of documents. As rows, each would be a Python
    tuple of two objects to build (and later collect); read by COPY, each row still came as
    a chunk of its own (176k chunks for 60 first searches, a fifth of their CPU). So
    PostgreSQL packs each column into one bytea of big-endian 8-byte values, one row in all.
    Both aggregates take the rows in the same order, so the i-th id and rank belong together.
    """
    packed_sql = (
        "SELECT string_agg(int8send(found.item_id::int8), ''::bytea), "
        "string_agg(float8send(found.rank::float8), ''::bytea), count(*) "
        f"FROM ({sql}) AS found"
    )
    with connection.cursor() as cursor:
        cursor.execute(packed_sql, params)
        id_bytes, rank_bytes, count = cursor.fetchone()
    id_bytes, rank_bytes = bytes(id_bytes or b""), bytes(rank_bytes or b"")
    if len(id_bytes) != 8 * count or len(rank_bytes) != 8 * count:
        # string_agg leaves NULLs out, so the columns no longer line up.
        raise ValueError("unexpected rows from PostgreSQL (a NULL id or rank?)")
    ids = np.frombuffer(id_bytes, dtype=">i8").astype(np.int64)
    return ids, np.frombuffer(rank_bytes, dtype=">f8").astype(np.float64)


def _arrays(rows: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    ranks = np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))
    return ids, ranks


def _search_fallback(queryset: QuerySet, term: str, rank: bool) -> QuerySet:
    wanted, excluded = _split_term(term)
    for word in wanted.split():
        queryset = queryset.filter(_contains(word))
    for word in excluded:
        queryset = queryset.exclude(_contains(word))
    if not rank:
        return queryset
    return queryset.annotate(
        search_rank=Case(
            When(title__icontains=wanted, then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )


def _contains(word: str) -> Q:
    return (
        Q(title__icontains=word)
        | Q(summary__icontains=word)
        | Q(description__icontains=word)
        | Q(provider__icontains=word)
        | Q(topic_names__icontains=word)
    )
