"""What to offer when a search finds nothing: "did you mean" and related topics.

Read only on a zero-result page. The spelling vocabulary is the words of the titles and
topic names everyone may see (never a restricted item's title, which would leak it), kept
in the cache and in each process per catalog version, for an hour at most. Until the next
write, a title whose publish window has closed since stays in it (a correction is offered
only when it finds something the person may see), and one whose window has opened is not
yet in it.
"""

import datetime as dt
import difflib
import re
import threading
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from .index import cache_version, catalog_index, term_match, vocabularies
from .models import Item
from .search import normalize_search_term
from .visibility import published_q, visible_items_q

_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
SPELLING_CUTOFF = 0.75
TOPIC_CUTOFF = 0.6
TOPIC_LIMIT = 6
_vocabulary_lock = threading.Lock()


@dataclass
class SearchSuggestions:
    did_you_mean: str = ""
    topics: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)


def _vocabulary(index, now: dt.datetime) -> list[str]:
    # Keyed by the catalog version, not the index build: the index is rebuilt for the clock
    # every minute or so, and reading every title again after each build (1.5 s at 100k
    # items, by several threads of each process at once) stalled the zero-result searches
    # behind it for seconds (bench mixed_load). One thread per process reads it; the others
    # wait for that.
    version = index.token if index.token is not None else f"build-{index.build_id}"
    # With the cache's own version (time-based, new after a flush): a database restored to
    # an earlier count never meets the vocabulary of the catalog it replaced.
    key = f"catalog:vocabulary:{version}:{cache_version()}"
    words = vocabularies.get(key)
    if words is not None:
        return words
    with _vocabulary_lock:
        words = vocabularies.get(key)
        if words is None:
            words = cache.get(key)
        if words is None:
            found: set[str] = set()
            everyone = Item.objects.filter(published_q(now)).filter(
                visible_items_q(AnonymousUser())
            )
            rows = everyone.values_list("title", "topic_names")
            for title, topics in rows:
                found.update(word.lower() for word in _WORD.findall(f"{title} {topics}"))
            words = sorted(found)
            cache.set(key, words, 60 * 60)
        vocabularies.put(key, words)
    return words


def prewarm_vocabulary(index, now: dt.datetime) -> int:
    """Read the vocabulary for `index`'s catalog version ahead of the first zero-result search
    (the refresh task calls it); returns its size. A cache read when it is there already."""
    return len(_vocabulary(index, now))


def search_suggestions(
    *, term: str, audience_ids: list[int], now: dt.datetime
) -> SearchSuggestions:
    """A corrected term that finds something for this person, and topics to browse instead."""
    term = normalize_search_term(term)
    index = catalog_index(now)
    suggestions = SearchSuggestions()
    words = term.split()
    vocabulary = _vocabulary(index, now)
    known = set(vocabulary)
    corrected = []
    for word in words:
        if word in known or len(word) < 3:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=SPELLING_CUTOFF)
        corrected.append(close[0] if close else word)
    visible = index.visible_mask(audience_ids)
    candidate = " ".join(corrected)
    finds = candidate and candidate != term
    if finds and (visible & index.mask_of(term_match(index, candidate).positions)).any():
        suggestions.did_you_mean = candidate

    # Only topics with something this person may see: a topic of restricted items only
    # would otherwise be named to outsiders.
    sizes = {
        slug: int(visible[positions].sum()) for slug, positions in index.topic_positions.items()
    }
    names = {slug: name for slug, name in index.topic_names.items() if sizes.get(slug)}
    by_word = {}
    for slug, name in names.items():
        for part in name.lower().split():
            by_word.setdefault(part, slug)
    related: list[str] = []
    for word in [*words, *corrected]:
        for match in difflib.get_close_matches(word, list(by_word), n=3, cutoff=TOPIC_CUTOFF):
            if by_word[match] not in related:
                related.append(by_word[match])
    if not related:
        # Nothing close: the topics with most items, as places to start browsing.
        related = sorted(names, key=lambda slug: (-sizes[slug], names[slug]))
    suggestions.topics = [(slug, names[slug]) for slug in related[:TOPIC_LIMIT] if slug in names]
    return suggestions
