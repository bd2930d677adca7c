"""HR's topic demand on a constructed data set with known answers."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from catalog.models import ZeroResultSearch
from circles.models import Interest as CircleInterest
from enrollment.models import SavedItem, Source
from insights.demand import services, topics
from insights.demand.trend import topic_demand_trend
from tests.catalog.factories import ItemFactory, OfferingFactory, TopicFactory
from tests.circles.factories import make_circle
from tests.enrollment.factories import (
    EnrollmentFactory,
    SelfPacedEnrollmentFactory,
    SessionInterestFactory,
    WaitlistedEnrollmentFactory,
)
from tests.people.factories import EmployeeFactory, UserFactory
from widgets.models import WidgetDailyCount

pytestmark = pytest.mark.django_db


def people(n):
    return [UserFactory() for _ in range(n)]


@pytest.fixture
def data():
    """Leadership has a lot of demand, Excel a little, Knitting none."""
    leadership = TopicFactory(name="Leadership", slug="leadership")
    excel = TopicFactory(name="Microsoft Excel", slug="excel")
    TopicFactory(name="Knitting", slug="knitting")
    lead_book = ItemFactory(title="Leaders eat last", topics=[leadership])
    lead_course = ItemFactory(title="First-time managers", topics=[leadership])
    excel_course = ItemFactory(title="Excel basics", topics=[excel])
    today = timezone.localdate()

    # Saved for later: 6 people, one of them saving both leadership items (counted once).
    savers = people(6)
    for user in savers:
        SavedItem.objects.create(user=user, item=lead_book)
    SavedItem.objects.create(user=savers[0], item=lead_course)
    # 2 people saved the Excel item: fewer than 5, hidden.
    for user in people(2):
        SavedItem.objects.create(user=user, item=excel_course)
    # Notify me: 5 people on leadership.
    for user in people(5):
        SessionInterestFactory(user=user, item=lead_course)
    # A full upcoming leadership session (2 seats) with 7 people waiting.
    session = OfferingFactory(item=ItemFactory(title="Leading teams", topics=[leadership]))
    session.capacity = 2
    session.save()
    for _ in range(2):
        EnrollmentFactory(offering=session)
    for _ in range(7):
        WaitlistedEnrollmentFactory(offering=session)
    # Searches with no results: "leadership for nurses" matches Leadership; "excel macros"
    # matches Microsoft Excel? No: "Microsoft" is missing from the term, and the term has a
    # word the name lacks. "sign language" matches nothing.
    ZeroResultSearch.objects.create(term="leadership for nurses", day=today, count=9)
    ZeroResultSearch.objects.create(term="excel macros", day=today, count=4)
    ZeroResultSearch.objects.create(term="sign language", day=today, count=6)
    ZeroResultSearch.objects.create(term="john smith", day=today, count=1)
    # An old search, outside a 30-day window.
    ZeroResultSearch.objects.create(term="leadership", day=today - dt.timedelta(days=60), count=100)
    # Widget: 10 clicks on the Excel course, 3 enrollments from the widget: 7 unmet.
    WidgetDailyCount.objects.create(day=today, item=excel_course, variant="employee", clicks=6)
    WidgetDailyCount.objects.create(day=today, item=excel_course, variant="manager", clicks=4)
    for _ in range(3):
        SelfPacedEnrollmentFactory(item=excel_course, source=Source.WIDGET_EMPLOYEE)
    # Circles: 1 proposed on a leadership book; 5 asked for the next one.
    make_circle(subject=lead_book)
    for user in people(5):
        CircleInterest.objects.create(user=user, subject=lead_book)
    # The board: a leadership proposal with 6 +1s, an untagged one with 1.
    proposal = services.proposal_create(user=EmployeeFactory().user, title="Leading change")
    services.proposal_set_topic(proposal=proposal, topic=leadership, actor=proposal.proposed_by)
    for _ in range(5):
        services.vote_add(user=EmployeeFactory().user, proposal=proposal)
    services.proposal_create(user=EmployeeFactory().user, title="Sign language basics")
    return {"leadership": leadership, "excel": excel}


def figures(row):
    return {key: figure.text for key, figure in row.figures.items()}


def test_each_signal_is_counted_per_topic_with_small_people_counts_hidden(data):
    report = topics.topic_demand_report(days=30)

    by_name = {row.topic.name: row for row in report.rows}
    assert set(by_name) == {"Leadership", "Microsoft Excel"}
    assert figures(by_name["Leadership"]) == {
        "searches": "9",
        "notify": "5",
        # People counts are rounded to the nearest 5 (7 waiting, 6 savers, 6 +1s).
        "waitlisted": "5",
        "full_sessions": "1",
        "saved": "5",
        "widget_clicks": "0",
        "circle_proposals": "fewer than 5",
        "circle_interest": "5",
        "board_votes": "5",
    }
    assert figures(by_name["Microsoft Excel"]) == {
        "searches": "0",
        "notify": "0",
        "waitlisted": "0",
        "full_sessions": "0",
        "saved": "fewer than 5",
        "widget_clicks": "7",
        "circle_proposals": "0",
        "circle_interest": "0",
        "board_votes": "0",
    }


def test_the_total_adds_the_figures_as_shown_so_nothing_hidden_can_be_recovered(data):
    report = topics.topic_demand_report(days=30)

    leadership, excel = report.rows
    assert leadership.topic.name == "Leadership"
    assert leadership.total == 9 + 5 + 5 + 1 + 5 + 5 + 5
    assert excel.total == 7
    assert leadership.figures["circle_proposals"].value == 1  # kept, never shown


def test_sorting_by_one_signal_ranks_by_it(data):
    report = topics.topic_demand_report(days=30, sort="widget_clicks")
    assert [row.topic.name for row in report.rows] == ["Microsoft Excel", "Leadership"]


def test_a_longer_window_takes_in_older_searches(data):
    report = topics.topic_demand_report(days=90)
    leadership = next(row for row in report.rows if row.topic.name == "Leadership")
    assert leadership.figures["searches"].value == 109


def test_unmatched_searches_are_listed_only_once_searched_five_times(data):
    report = topics.topic_demand_report(days=30)
    assert report.unmatched_terms == [("sign language", 6)]


def test_board_proposals_without_a_topic_are_listed_with_hidden_small_counts(data):
    report = topics.topic_demand_report(days=30)
    [(proposal, figure)] = report.untopiced_proposals
    assert proposal.title == "Sign language basics"
    assert figure.text == "fewer than 5"


def test_the_trend_counts_people_per_calendar_month(data):
    now = timezone.now()
    lead_book = data["leadership"].items.get(title="Leaders eat last")
    # Five more savers two months ago.
    earlier = now - dt.timedelta(days=62)
    for user in people(5):
        saved = SavedItem.objects.create(user=user, item=lead_book)
        SavedItem.objects.filter(pk=saved.pk).update(created_at=earlier)

    trend = topic_demand_trend(topic=data["leadership"], now=now)

    assert len(trend.months) == 12
    saved = dict(zip(trend.months, trend.series["saved"], strict=True))
    this_month = now.date().replace(day=1)
    assert saved[this_month].text == "5"  # 6 savers, rounded
    month_before = timezone.localtime(earlier).date().replace(day=1)
    assert saved[month_before].text == "5"
    assert trend.series["circle_proposals"][-1].text == "fewer than 5"
    assert trend.search_terms == [("leadership", 100), ("leadership for nurses", 9)]
    [(proposal, figure)] = trend.proposals
    assert (proposal.title, figure.text) == ("Leading change", "5")


def test_overlapping_windows_do_not_give_away_the_one_person_between_them(data):
    # A seventh saver 31 to 90 days ago: exact figures would read "6" over 30 days and "7"
    # over 90, pointing at one person who saved it a month or two ago.
    lead_book = data["leadership"].items.get(title="Leaders eat last")
    saved = SavedItem.objects.create(user=UserFactory(), item=lead_book)
    SavedItem.objects.filter(pk=saved.pk).update(created_at=timezone.now() - dt.timedelta(days=60))

    shown = {
        days: next(
            r for r in topics.topic_demand_report(days=days).rows if r.topic.slug == "leadership"
        )
        .figures["saved"]
        .text
        for days in topics.WINDOWS
    }

    assert shown == {30: "5", 90: "5", 365: "5"}


@override_settings(PRIVACY_MIN_GROUP_SIZE=6)
def test_the_organisations_higher_floor_hides_more_demand_figures(data, client):
    report = topics.topic_demand_report(days=30)

    leadership = next(row for row in report.rows if row.topic.name == "Leadership")
    assert leadership.figures["notify"].text == "fewer than 6"
    assert leadership.figures["saved"].text == "5"  # 6 savers: shown, rounded
    assert report.unmatched_terms == [("sign language", 6)]
    assert leadership.figures["notify"].csv == "<6"


@pytest.mark.parametrize(
    ("term", "topic", "matches"),
    [
        ("leadership for nurses", "Leadership", True),
        ("sigma", "Lean Six Sigma", True),
        ("six sigma course", "Lean Six Sigma", True),
        ("excel macros", "Microsoft Excel", False),
        ("the", "Leadership", False),
        ("lead", "Leadership", False),
    ],
)
def test_search_terms_match_topics_by_whole_words(term, topic, matches):
    topic = TopicFactory(name=topic)
    per_topic, unmatched = topics.match_terms_to_topics({term: 3}, [topic])
    assert (per_topic == {topic.pk: 3}) is matches
