"""The organization-wide KPIs on constructed data with known answers."""

import datetime as dt

import pytest

from circles.models import Attendance, Meeting
from enrollment.models import Enrollment, Source
from insights.models import MonthlyKpis
from insights.selectors.kpis import kpi_figures
from tests.catalog.factories import ItemFactory
from tests.circles.factories import make_circle
from tests.insights.factories import at, enroll, people, refresh
from tests.themes.factories import ThemeFactory, ThemeItemFactory
from themes.models import Theme, ThemeRelease
from widgets.models import TeamSuggestion, Variant, WidgetDailyCount

pytestmark = pytest.mark.django_db


def kpis(month):
    return MonthlyKpis.objects.get(month=month).data


def test_widget_funnel_counts_views_clicks_and_widget_enrollments():
    (person,) = people(1)
    item = ItemFactory()
    WidgetDailyCount.objects.create(
        day=dt.date(2026, 2, 3), item=item, variant=Variant.EMPLOYEE, impressions=90, clicks=9
    )
    WidgetDailyCount.objects.create(
        day=dt.date(2026, 2, 28), item=item, variant=Variant.MANAGER, impressions=10, clicks=1
    )
    WidgetDailyCount.objects.create(
        day=dt.date(2026, 3, 1), item=item, variant=Variant.MANAGER, impressions=500, clicks=50
    )
    enroll(person, at(2026, 2, 3), source=Source.WIDGET_EMPLOYEE, item=item)
    enroll(person, at(2026, 2, 4), source=Source.CATALOG)

    refresh(at(2026, 3, 10))

    assert kpis("2026-02-01")["widget"] == {"impressions": 100, "clicks": 10, "enrollments": 1}
    figures = kpi_figures(list(MonthlyKpis.objects.order_by("month")))
    assert figures.widget_year == {"impressions": 600, "clicks": 60, "enrollments": 1}
    assert figures.click_rate == "10.0%"


def test_waitlist_pressure_counts_places_taken_on_waitlists():
    waiting = people(6)
    for person in waiting:
        enroll(person, at(2026, 2, 10), status=Enrollment.Status.WAITLISTED)

    refresh(at(2026, 3, 10))

    assert kpis("2026-02-01")["waitlist_joins"] == 6
    assert kpis("2026-03-01")["waitlist_joins"] == 0
    assert kpis("2026-03-01")["waitlist_now"] == {"people": 6, "sessions": 6}
    # Stored exactly, shown rounded to the nearest 5 (core.privacy's rule 2).
    assert kpi_figures(list(MonthlyKpis.objects.order_by("month"))).waiting_people == "5"


def test_time_from_a_manager_suggestion_to_enrollment_is_a_median_in_days():
    (manager,) = people(1, is_manager=True)
    team = people(6)
    for person in team:
        person.manager = manager
        person.save()
    item = ItemFactory()
    TeamSuggestion.objects.create(
        manager=manager, item=item, created_at=at(2026, 2, 1), expires_at=at(2026, 3, 1)
    )
    for days, person in zip([1, 2, 3, 4, 10], team, strict=False):
        enroll(person, at(2026, 2, 1 + days), item=item)
    # Enrolled before the suggestion: not brought by it.
    enroll(team[5], at(2026, 1, 20), item=item)

    refresh(at(2026, 3, 10))

    assert kpis("2026-03-01")["suggestion_lead"] == {"count": 5, "median_days": 3.0}
    figures = kpi_figures(list(MonthlyKpis.objects.order_by("month")))
    assert figures.suggestion_lead == "3 days"
    assert figures.suggestion_note == "median of 5 enrollments after a suggestion"


def test_circle_participation_retention_and_repeat():
    learners = people(8)
    circle = make_circle(state="open")
    other = make_circle(state="open")
    meetings = list(circle.meetings.order_by("week"))
    for week, meeting in enumerate(meetings):
        start = at(2026, 4, 7 + 7 * week, 12)
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=start, ends_at=start + dt.timedelta(hours=1)
        )
    held = len(meetings)  # all in April, all held by May
    for person in learners[:6]:
        Enrollment.objects.create(
            user=person.user,
            item=circle.item,
            offering=circle.offering,
            status=Enrollment.Status.ENROLLED,
            source=Source.CIRCLE,
            enrolled_at=at(2026, 3, 20),
        )
    # Three learners at every meeting, one at one, two at none.
    for person in learners[:3]:
        for meeting in meetings:
            Attendance.objects.create(meeting=meeting, user=person.user, attended=True)
    Attendance.objects.create(meeting=meetings[0], user=learners[3].user, attended=True)
    # One of them joins a second circle as well.
    Enrollment.objects.create(
        user=learners[0].user,
        item=other.item,
        offering=other.offering,
        status=Enrollment.Status.ENROLLED,
        source=Source.CIRCLE,
        enrolled_at=at(2026, 3, 21),
    )

    refresh(at(2026, 5, 10))

    expected_retained = 3 + (1 if held <= 2 else 0)
    assert kpis("2026-05-01")["circles"] == {
        "participants": 6,
        "retained": expected_retained,
        "repeat": 1,
    }


def test_theme_uptake_counts_people_enrolling_in_its_items_after_release():
    readers = people(7)
    theme = ThemeFactory(
        title="Speaking up",
        month=dt.date(2026, 3, 1),
        state=Theme.State.PUBLISHED,
        release_at=at(2026, 3, 1, 8),
    )
    first, second = ThemeItemFactory(theme=theme).item, ThemeItemFactory(theme=theme).item
    ThemeRelease.objects.create(theme=theme, released_at=at(2026, 3, 1, 8))
    for person in readers[:5]:
        enroll(person, at(2026, 3, 5), item=first)
    enroll(readers[0], at(2026, 3, 6), item=second)  # the same person again
    enroll(readers[5], at(2026, 2, 20), item=first)  # before the release
    enroll(readers[6], at(2026, 5, 20), item=second)  # after the theme's window

    refresh(at(2026, 6, 10))

    (uptake,) = kpis("2026-06-01")["themes"]
    assert uptake == {"title": "Speaking up", "month": "2026-03-01", "people": 5}


def test_a_small_waitlist_is_not_counted_exactly_anywhere_on_the_dashboard():
    from insights.selectors.dashboard import dashboard_for

    for person in people(3):
        enroll(person, at(2026, 2, 10), status=Enrollment.Status.WAITLISTED)
    people(20)
    refresh(at(2026, 3, 10))

    dashboard = dashboard_for(year=2026, now=at(2026, 3, 10))
    assert dashboard.kpis.waiting_people == "fewer than 5"
    assert dashboard.charts["waitlist"].summary.startswith("fewer than 5 people are waiting")
