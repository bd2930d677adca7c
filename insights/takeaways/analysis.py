"""What the portal proposes from a week's posts: key phrases, themes, a short summary and
wishes for new sessions. CPU only, offline: YAKE and scikit-learn, no model to download.

The input is redacted text (insights.takeaways.redaction), one string per post, with no
author: nothing here can be traced back to a person, and nothing is counted per person.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import yake
from segtok.segmenter import split_single
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from .redaction import PLACEHOLDERS

KEY_PHRASES = 10
THEMES = 4
TERMS_PER_THEME = 4
SUMMARY_SENTENCES = 4
MMR_LAMBDA = 0.7
# YAKE reads at most this much text of a week: beyond it the phrases do not change, and a
# week of a very busy circle stays within seconds.
YAKE_MAX_CHARACTERS = 60_000

# "I'd love a session on X", "could we have a workshop about X", "I wish there was a
# course on X", "it would be great to have training in X", "I'd like to learn more about X".
_FORMAT = r"(?:session|course|workshop|training|circle|talk|module|class)(?:es|s)?"
_ARTICLE = r"(?:(?:a|an|some|more|another|the)\s+)?"
_TOPIC = r"(?P<topic>[^.?!;:\n]{3,120})"
DEMAND_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b(?:i'?d|i would|we'?d|we would)\s+(?:really\s+)?(?:love|like)\s+{_ARTICLE}"
        rf"{_FORMAT}\s+(?:on|about|in)\s+{_TOPIC}",
        rf"\b(?:i'?d|i would|we'?d|we would)\s+(?:really\s+)?(?:love|like)\s+to\s+"
        rf"(?:learn|know|hear)\s+(?:more\s+)?about\s+{_TOPIC}",
        rf"\b(?:can|could)\s+we\s+(?:have|get|do|run)\s+{_ARTICLE}{_FORMAT}\s+"
        rf"(?:on|about|in)\s+{_TOPIC}",
        rf"\bi\s+wish\s+(?:we|there)\s+(?:had|was|were|could have)\s+{_ARTICLE}{_FORMAT}\s+"
        rf"(?:on|about|in)\s+{_TOPIC}",
        rf"\bwould\s+be\s+(?:great|good|helpful|useful|nice)\s+to\s+have\s+{_ARTICLE}"
        rf"{_FORMAT}\s+(?:on|about|in)\s+{_TOPIC}",
        rf"\bwe\s+need\s+{_ARTICLE}{_FORMAT}\s+(?:on|about|in)\s+{_TOPIC}",
    )
]
# Where a wish's topic ends: "conflict resolution, because ..." → "conflict resolution".
_TOPIC_END = re.compile(
    r",|\s(?:because|since|so that|so|as|but|and then|which|that would|if|for us|for the team)\s",
    re.IGNORECASE,
)
# Words of the wish templates and of discussion itself, which say nothing about a theme.
THEME_STOP_WORDS = sorted(
    ENGLISH_STOP_WORDS
    | {"love", "like", "wish", "session", "sessions", "course", "courses", "workshop"}
    | {"think", "really", "just", "agree", "thanks", "week", "chapter", "book", "id"}
    | {"name", "email", "phone"}
)
THEME_STOP_WORDS_SET = frozenset(THEME_STOP_WORDS)
_TRAILING = ENGLISH_STOP_WORDS | {"too", "please", "sometime", "soon", "maybe", "one", "day"}
DEMAND_MAX_WORDS = 8


@dataclass
class Proposed:
    key_phrases: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    demand_phrases: list[str] = field(default_factory=list)


def _has_placeholder(text: str) -> bool:
    return any(mark in text for mark in PLACEHOLDERS)


def _without_placeholders(text: str) -> str:
    for mark in PLACEHOLDERS:
        text = text.replace(mark, " ")
    return text


def key_phrases(posts: list[str], *, top: int = KEY_PHRASES) -> list[str]:
    text = _without_placeholders("\n".join(posts))[:YAKE_MAX_CHARACTERS]
    if len(text.split()) < 20:
        return []
    extractor = yake.KeywordExtractor(lan="en", n=3, dedupLim=0.7, top=top * 3)
    phrases = []
    for phrase, _score in extractor.extract_keywords(text):
        phrase = phrase.strip().lower()
        words = phrase.split()
        if words[0] in ENGLISH_STOP_WORDS or words[-1] in ENGLISH_STOP_WORDS:
            continue
        if all(word in THEME_STOP_WORDS_SET for word in words):
            continue
        if len(phrase) < 4 or any(phrase in kept or kept in phrase for kept in phrases):
            continue
        phrases.append(phrase)
        if len(phrases) == top:
            break
    return phrases


def _vectorizer(documents: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        stop_words=THEME_STOP_WORDS,
        ngram_range=(1, 2),
        min_df=2 if documents >= 20 else 1,
        max_df=0.9 if documents >= 20 else 1.0,
        max_features=5000,
        token_pattern=r"(?u)\b[a-z][a-z-]+\b",
        lowercase=True,
    )


def themes(posts: list[str], *, count: int = THEMES) -> list[str]:
    """NMF topics over the posts, each named by its strongest terms ("remarkable, cow")."""
    documents = [_without_placeholders(post) for post in posts if len(post.split()) >= 4]
    if len(documents) < 3:
        return []
    try:
        matrix = _vectorizer(len(documents)).fit(documents)
    except ValueError:  # nothing but stop words
        return []
    vectors = matrix.transform(documents)
    components = max(1, min(count, len(documents) // 6, vectors.shape[1] - 1))
    model = NMF(n_components=components, init="nndsvda", random_state=0, max_iter=400)
    model.fit(vectors)
    terms = matrix.get_feature_names_out()
    lines = []
    for weights in model.components_:
        top = [terms[i] for i in np.argsort(weights)[::-1]]
        picked: list[str] = []
        for term in top[: TERMS_PER_THEME * 4]:
            words = set(term.split())
            if any(words <= set(other.split()) for other in picked):
                continue
            # A pair of words only as the fuller form of a word picked before it: "patient
            # experience" replaces "patient"; a pair on its own reads as noise.
            covered = [other for other in picked if set(other.split()) <= words]
            if len(words) > 1 and not covered:
                continue
            picked = [other for other in picked if other not in covered]
            picked.append(term)
            if len(picked) == TERMS_PER_THEME:
                break
        line = ", ".join(picked)
        if picked and line not in lines:
            lines.append(line)
    return lines


def _sentences(posts: list[str]) -> list[str]:
    sentences = []
    for post in posts:
        for paragraph in post.splitlines():
            for sentence in split_single(paragraph):
                sentence = " ".join(sentence.split())
                words = len(sentence.split())
                if 6 <= words <= 45 and not _has_placeholder(sentence):
                    sentences.append(sentence)
    return list(dict.fromkeys(sentences))


def summary(posts: list[str], *, size: int = SUMMARY_SENTENCES) -> list[str]:
    """Representative sentences by maximal marginal relevance: close to the week's centre,
    far from each other, in the order they were written. Sentences naming anyone (a
    redaction mark) are never picked."""
    sentences = _sentences(posts)
    if len(sentences) <= size:
        return sentences
    try:
        vectors = _vectorizer(len(sentences)).fit_transform(sentences)
    except ValueError:
        return []
    centre = np.asarray(vectors.mean(axis=0)).ravel()
    norm = np.linalg.norm(centre) or 1.0
    relevance = vectors @ (centre / norm)
    chosen: list[int] = []
    redundancy = np.zeros(len(sentences))
    for _ in range(size):
        score = MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * redundancy
        score[chosen] = -np.inf
        best = int(np.argmax(score))
        chosen.append(best)
        # Rows are L2-normalized by TF-IDF, so a dot product is the cosine similarity.
        redundancy = np.maximum(redundancy, (vectors @ vectors[best].T).toarray().ravel())
    return [sentences[i] for i in sorted(chosen)]


def _clean_topic(raw: str) -> str:
    topic = _TOPIC_END.split(f" {raw} ", maxsplit=1)[0]
    words = topic.strip().strip("\"'“”‘’()").split()[:DEMAND_MAX_WORDS]
    while words and words[-1].lower().strip(".,!?") in _TRAILING:
        words.pop()
    while words and words[0].lower() in {"how", "to", "the", "a", "an"}:
        words.pop(0)
    return " ".join(words).strip(".,!?").lower()


def demand_phrases(posts: list[str]) -> list[str]:
    """What people wished for a session on, most often wished first (counted per post)."""
    wishes: Counter[str] = Counter()
    for post in posts:
        found = set()
        for pattern in DEMAND_PATTERNS:
            for match in pattern.finditer(post):
                topic = _clean_topic(match.group("topic"))
                if len(topic) >= 3 and not _has_placeholder(topic):
                    found.add(topic)
        wishes.update(found)
    # "conflict resolution for night shifts" is a wish for "conflict resolution" too.
    for topic in sorted(wishes, key=len):
        for longer in [other for other in wishes if other.startswith(f"{topic} ")]:
            wishes[topic] += wishes.pop(longer)
    return [topic for topic, _ in sorted(wishes.items(), key=lambda kv: (-kv[1], kv[0]))]


def analyse(posts: list[str]) -> Proposed:
    """Everything proposed for one circle's week, from its redacted posts."""
    posts = [post for post in posts if post.strip()]
    if not posts:
        return Proposed()
    return Proposed(
        key_phrases=key_phrases(posts),
        themes=themes(posts),
        summary=summary(posts),
        demand_phrases=demand_phrases(posts)[:10],
    )
