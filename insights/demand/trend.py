"""One topic's demand over time: each signal month by month, for the per-topic page.

The signals and their privacy rule are topics'; this module only lays them out by month.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from catalog.models import Item, Topic, ZeroResultSearch
from circles.models import Circle
from circles.models import Interest as CircleInterest
from enrollment.models import Enrollment, SavedItem, SessionInterest
from learning_portal.core.privacy import group_size_floor
from widgets.models import WidgetDailyCount

from ..models import Proposal, Vote
from ..months import portal_zone
from .privacy import Figure, people_figure
from .topics import SIGNALS, VOTABLE, WIDGET_SOURCES, _figure, match_terms_to_topics


def _months(now, count: int) -> list[dt.date]:
    first = now.date().replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def _monthly(queryset, time_field: str, people: str | None, total: str | None = None):
    # Months in the portal's zone (insights.months), whatever zone the reader chose.
    moment = isinstance(queryset.model._meta.get_field(time_field), DateTimeField)
    month = TruncMonth(time_field, tzinfo=portal_zone()) if moment else TruncMonth(time_field)
    rows = queryset.annotate(month=month).values("month")
    if total:
        rows = rows.annotate(n=Sum(total))
    else:
        rows = rows.annotate(n=Count(people, distinct=True) if people else Count("pk"))
    return {
        (month.date() if isinstance(month, dt.datetime) else month).replace(day=1): n
        for month, n in rows.values_list("month", "n")
    }


@dataclass
class TopicTrend:
    topic: Topic
    months: list[dt.date]
    series: dict[str, list[Figure]]
    search_terms: list[tuple[str, int]]
    proposals: list[tuple[Proposal, Figure]]


def topic_demand_trend(*, topic: Topic, months: int = 12, now=None) -> TopicTrend:
    """The topic's signals month by month (calendar months, the current one so far).

    Waitlists count the people who joined one in the month; full sessions are left out,
    being a state of now, not an event.
    """
    now = timezone.localtime(now or timezone.now(), portal_zone())
    month_list = _months(now, months)
    start = timezone.make_aware(dt.datetime.combine(month_list[0], dt.time()), portal_zone())
    items = Item.objects.filter(topics=topic).values("pk")
    since = {"created_at__gte": start}
    all_terms = dict(
        ZeroResultSearch.objects.filter(day__gte=month_list[0])
        .values("term")
        .annotate(n=Sum("count"))
        .values_list("term", "n")
    )
    per_topic_terms = {
        term: n for term, n in all_terms.items() if match_terms_to_topics({term: n}, [topic])[0]
    }
    searches = (
        _monthly(
            ZeroResultSearch.objects.filter(day__gte=month_list[0], term__in=per_topic_terms),
            "day",
            None,
            total="count",
        )
        if per_topic_terms
        else {}
    )
    clicks = _monthly(
        WidgetDailyCount.objects.filter(day__gte=month_list[0], item__in=items),
        "day",
        None,
        total="clicks",
    )
    widget_enrolled = _monthly(
        Enrollment.objects.filter(source__in=WIDGET_SOURCES, item__in=items, **since),
        "created_at",
        None,
    )
    raw = {
        "searches": searches,
        "notify": _monthly(
            SessionInterest.objects.filter(item__in=items, **since), "created_at", "user"
        ),
        "waitlisted": _monthly(
            Enrollment.objects.filter(item__in=items, waitlisted_at__gte=start),
            "waitlisted_at",
            "user",
        ),
        "saved": _monthly(SavedItem.objects.filter(item__in=items, **since), "created_at", "user"),
        "widget_clicks": {
            month: max(0, n - widget_enrolled.get(month, 0)) for month, n in clicks.items()
        },
        "circle_proposals": _monthly(
            Circle.objects.filter(subject__in=items, **since), "created_at", "proposed_by"
        ),
        "circle_interest": _monthly(
            CircleInterest.objects.filter(subject__in=items, **since), "created_at", "user"
        ),
        "board_votes": _monthly(
            Vote.objects.filter(proposal__topic=topic, proposal__status__in=VOTABLE, **since),
            "created_at",
            "user",
        ),
    }
    series = {key: [_figure(key, raw[key].get(month, 0)) for month in month_list] for key in raw}
    terms = sorted(
        ((t, n) for t, n in per_topic_terms.items() if n >= group_size_floor()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    proposals = [
        (proposal, people_figure(proposal.vote_count))
        for proposal in Proposal.objects.filter(topic=topic, status__in=VOTABLE)
        .annotate(vote_count=Count("votes"))
        .order_by("-vote_count", "title")
    ]
    return TopicTrend(
        topic=topic, months=month_list, series=series, search_terms=terms[:20], proposals=proposals
    )


TREND_SIGNALS = tuple(signal for signal in SIGNALS if signal.key != "full_sessions")
