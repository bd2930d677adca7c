"""Topic demand for the budget: each demand signal counted per catalog topic.

Every signal is read from the app that records it and attributed to the topics of the item
it is about (an item in two topics counts for both). People are counted once per topic and
signal, however many of the topic's items they touched. Nothing here is ever per person.
"""

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from catalog.models import Item, Topic, ZeroResultSearch
from catalog.sessions import sessions_ahead
from circles.models import Circle
from circles.models import Interest as CircleInterest
from enrollment.models import Enrollment, SavedItem, SessionInterest, Source
from learning_portal.core.privacy import group_size_floor
from widgets.models import WidgetDailyCount

from ..models import Proposal, Vote
from .privacy import Figure, event_figure, people_figure

WINDOWS = (30, 90, 365)
DEFAULT_WINDOW = 90
WIDGET_SOURCES = (Source.WIDGET_MANAGER, Source.WIDGET_EMPLOYEE)
VOTABLE = (Proposal.Status.OPEN, Proposal.Status.PLANNED)


@dataclass(frozen=True)
class Signal:
    key: str
    label: str
    definition: str
    about_people: bool


SIGNALS = (
    Signal(
        "searches",
        "Searches with no results",
        "Catalog searches that found nothing, whose words match the topic's name (searches, "
        "not people).",
        False,
    ),
    Signal(
        "notify",
        "“Notify me” requests",
        "People who asked to be told when a session of one of the topic's items opens.",
        True,
    ),
    Signal(
        "waitlisted",
        "On waitlists now",
        "People waiting for a seat in an upcoming session of one of the topic's items.",
        True,
    ),
    Signal(
        "full_sessions",
        "Full sessions",
        "Upcoming sessions of the topic's items with every seat taken (sessions).",
        False,
    ),
    Signal(
        "saved",
        "Saved for later",
        "People who saved one of the topic's items.",
        True,
    ),
    Signal(
        "widget_clicks",
        "Widget clicks, no enrollment",
        "Clicks on the topic's items in the intranet widget, less the enrollments that came "
        "from the widget (clicks, not people).",
        False,
    ),
    Signal(
        "circle_proposals",
        "Circles proposed",
        "People who proposed a learning circle on one of the topic's items.",
        True,
    ),
    Signal(
        "circle_interest",
        "Circle interest",
        "People who asked to be told of the next circle on one of the topic's items.",
        True,
    ),
    Signal(
        "board_votes",
        "Demand board +1s",
        "People who +1'd a demand-board proposal tied to the topic.",
        True,
    ),
)
SIGNAL_KEYS = tuple(signal.key for signal in SIGNALS)
_PEOPLE = {signal.key for signal in SIGNALS if signal.about_people}


def _figure(key: str, value: int) -> Figure:
    return people_figure(value) if key in _PEOPLE else event_figure(value)


@dataclass
class TopicDemand:
    topic: Topic
    figures: dict[str, Figure]

    @property
    def total(self) -> int:
        return sum(figure.shown for figure in self.figures.values())

    def cells(self) -> list[Figure]:
        return [self.figures[key] for key in SIGNAL_KEYS]


@dataclass
class DemandReport:
    since: dt.datetime
    days: int
    rows: list[TopicDemand]
    unmatched_terms: list[tuple[str, int]] = field(default_factory=list)
    untopiced_proposals: list[tuple[Proposal, Figure]] = field(default_factory=list)


# --- matching search terms to topics -----------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
# Words that say nothing about a topic on their own.
_FILLER = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "in",
        "on",
        "to",
        "with",
        "how",
        "course",
        "courses",
        "training",
        "intro",
    ]
)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _FILLER)


def match_terms_to_topics(
    terms: dict[str, int], topics: list[Topic]
) -> tuple[dict[int, int], dict[str, int]]:
    """Search counts per topic id, and the terms no topic matched.

    A term matches a topic when it holds every word of the topic's name ("leadership for
    nurses" matches Leadership) or all its words are in the name ("sigma" matches Lean Six
    Sigma). Words like "course" or "the" are ignored on both sides.
    """
    topic_words = [(topic.pk, _words(topic.name)) for topic in topics]
    per_topic: Counter[int] = Counter()
    unmatched: dict[str, int] = {}
    for term, count in terms.items():
        words = _words(term)
        if not words:
            continue
        hits = [pk for pk, name in topic_words if name and (name <= words or words <= name)]
        for pk in hits:
            per_topic[pk] += count
        if not hits:
            unmatched[term] = count
    return dict(per_topic), unmatched


# --- the signals, each one grouped query ---------------------------------------------------


def _by_topic(queryset, topic_path: str, people: str) -> dict[int, int]:
    rows = (
        queryset.filter(**{f"{topic_path}__isnull": False})
        .values(topic_path)
        .annotate(n=Count(people, distinct=True))
        .values_list(topic_path, "n")
    )
    return dict(rows)


def _item_topics(item_ids) -> dict[int, list[int]]:
    topics: dict[int, list[int]] = defaultdict(list)
    through = Item.topics.through.objects.filter(item_id__in=list(item_ids))
    for item_id, topic_id in through.values_list("item_id", "topic_id"):
        topics[item_id].append(topic_id)
    return topics


def _per_item_to_topics(per_item: dict[int, int]) -> dict[int, int]:
    totals: Counter[int] = Counter()
    for item_id, topic_ids in _item_topics(per_item).items():
        for topic_id in topic_ids:
            totals[topic_id] += per_item[item_id]
    return dict(totals)


def _full_sessions(now) -> dict[int, int]:
    full = (
        sessions_ahead(now)
        .filter(capacity__isnull=False)
        .annotate(seated=Count("enrollments", filter=Q(enrollments__status="enrolled")))
        .filter(seated__gte=F("capacity"))
        .values_list("item_id", flat=True)
    )
    # Counted here, not in SQL: grouping by item over the enrollments join would count seats.
    return _per_item_to_topics(dict(Counter(full)))


def _widget_clicks_without_enrollment(since, until) -> dict[int, int]:
    clicks = dict(
        WidgetDailyCount.objects.filter(day__gte=since.date(), day__lt=until.date())
        .values("item_id")
        .annotate(n=Sum("clicks"))
        .values_list("item_id", "n")
    )
    enrolled = dict(
        Enrollment.objects.filter(
            source__in=WIDGET_SOURCES, created_at__gte=since, created_at__lt=until
        )
        .values("item_id")
        .annotate(n=Count("pk"))
        .values_list("item_id", "n")
    )
    # Per item first: a click that led to an enrollment is not unmet demand.
    per_item = {pk: max(0, n - enrolled.get(pk, 0)) for pk, n in clicks.items()}
    return _per_item_to_topics({pk: n for pk, n in per_item.items() if n})


def _search_terms(since, until) -> dict[str, int]:
    return dict(
        ZeroResultSearch.objects.filter(day__gte=since.date(), day__lt=until.date())
        .values("term")
        .annotate(n=Sum("count"))
        .values_list("term", "n")
    )


def _signal_counts(since, until, now, topics: list[Topic]):
    """{signal key: {topic id: count}} and the unmatched search terms."""
    searches, unmatched = match_terms_to_topics(_search_terms(since, until), topics)
    window = {"created_at__gte": since, "created_at__lt": until}
    waiting = Enrollment.objects.filter(
        status=Enrollment.Status.WAITLISTED,
        offering__in=sessions_ahead(now).values("pk"),
    )
    counts = {
        "searches": searches,
        "notify": _by_topic(SessionInterest.objects.filter(**window), "item__topics", "user"),
        "waitlisted": _by_topic(waiting, "item__topics", "user"),
        "full_sessions": _full_sessions(now),
        "saved": _by_topic(SavedItem.objects.filter(**window), "item__topics", "user"),
        "widget_clicks": _widget_clicks_without_enrollment(since, until),
        "circle_proposals": _by_topic(
            Circle.objects.filter(**window), "subject__topics", "proposed_by"
        ),
        "circle_interest": _by_topic(
            CircleInterest.objects.filter(**window), "subject__topics", "user"
        ),
        "board_votes": _by_topic(
            Vote.objects.filter(**window, proposal__status__in=VOTABLE), "proposal__topic", "user"
        ),
    }
    return counts, unmatched


def topic_demand_report(
    *, days: int = DEFAULT_WINDOW, now=None, sort: str = "total"
) -> DemandReport:
    """Every topic with any demand in the last `days` days, ranked by `sort`.

    `sort` is "total" (the sum of the figures as shown), a signal key, or "name". Waitlists
    and full sessions are as of now, whatever the window.
    """
    now = now or timezone.now()
    days = days if days in WINDOWS else DEFAULT_WINDOW
    since = now - dt.timedelta(days=days)
    # Windows end at tomorrow's start, so today's counter rows (dated today) are in.
    until = now + dt.timedelta(days=1)
    topics = list(Topic.objects.all())
    counts, unmatched = _signal_counts(since, until, now, topics)
    rows = []
    for topic in topics:
        figures = {key: _figure(key, counts[key].get(topic.pk, 0)) for key in SIGNAL_KEYS}
        if any(figure.value for figure in figures.values()):
            rows.append(TopicDemand(topic=topic, figures=figures))
    rows.sort(key=lambda row: row.topic.name.lower())
    if sort in SIGNAL_KEYS:
        rows.sort(key=lambda row: row.figures[sort].shown, reverse=True)
    elif sort != "name":
        rows.sort(key=lambda row: row.total, reverse=True)
    # A search term seen fewer than group_size_floor() times is left out: a one-off search can
    # be personal (someone's name), and it does not steer a budget.
    terms = sorted(
        ((term, n) for term, n in unmatched.items() if n >= group_size_floor()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    return DemandReport(
        since=since,
        days=days,
        rows=rows,
        unmatched_terms=terms[:50],
        untopiced_proposals=_untopiced_proposals(since, until),
    )


def _untopiced_proposals(since, until) -> list[tuple[Proposal, Figure]]:
    proposals = (
        Proposal.objects.filter(status__in=VOTABLE, topic__isnull=True)
        .annotate(
            n=Count("votes", filter=Q(votes__created_at__gte=since, votes__created_at__lt=until))
        )
        .filter(n__gt=0)
        .order_by("-n", "title")[:50]
    )
    return [(proposal, people_figure(proposal.n)) for proposal in proposals]
