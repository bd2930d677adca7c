"""The widget suggests learning circles about to start: "A circle on Purple Cow starts Tuesday".

Open circles are part of the cached candidate pool, so a warm widget request costs no more
queries than before; the pool is rebuilt when such a circle starts.
"""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tests.catalog.factories import ItemFactory
from tests.circles.factories import make_circle
from tests.people.factories import EmployeeFactory
from widgets import selectors
from widgets.selectors.ranking import starts_phrase

pytestmark = pytest.mark.django_db
WIDGET = "/widgets/suggested/"
LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Wednesday morning; the circles below start the Tuesday after.
WEDNESDAY = dt.datetime(2031, 3, 5, 9, 0, tzinfo=LONDON)


def suggestions(employee, now=None):
    viewer = selectors.viewer_for(user=employee.user, now=now)
    return selectors.suggestions_for(viewer=viewer, limit=6, now=now).suggestions


@pytest.fixture
def purple_cow_circle(catalog_mix):
    with time_machine.travel(WEDNESDAY, tick=False):
        return make_circle(
            state="open",
            title="Purple Cow lunchtime circle",
            subject=ItemFactory(title="Purple Cow", format="book"),
            start_date=dt.date(2031, 3, 11),
        )


@time_machine.travel(WEDNESDAY, tick=False)
def test_an_open_circle_is_suggested_with_its_subject_and_start(purple_cow_circle):
    shown = {s.title: s for s in suggestions(EmployeeFactory())}

    circle = shown["Purple Cow lunchtime circle"]
    assert circle.reason == "A circle on Purple Cow starts Tuesday"
    assert circle.kind == "circle"


def test_a_draft_circle_is_not_suggested(catalog_mix):
    with time_machine.travel(WEDNESDAY, tick=False):
        make_circle(title="Draft circle", start_date=dt.date(2031, 3, 11))
        assert "Draft circle" not in {s.title for s in suggestions(EmployeeFactory())}


def test_the_pool_is_rebuilt_when_the_circle_starts(purple_cow_circle):
    person = EmployeeFactory()
    with time_machine.travel(WEDNESDAY, tick=False):
        before = {s.title for s in suggestions(person)}
    first_meeting = purple_cow_circle.offering.starts_at
    with time_machine.travel(first_meeting + dt.timedelta(minutes=1), tick=False):
        after = {s.title for s in suggestions(person)}

    assert "Purple Cow lunchtime circle" in before
    # Sign-up closed at the first meeting: the cached pool expired then, not minutes later.
    assert "Purple Cow lunchtime circle" not in after


def test_the_warm_widget_request_still_runs_at_most_two_queries_with_a_circle(
    client_as, purple_cow_circle, django_assert_max_num_queries
):
    with time_machine.travel(WEDNESDAY, tick=False):
        client = client_as(EmployeeFactory())
        client.get(WIDGET)  # warms the shared caches
        with django_assert_max_num_queries(2):
            response = client.get(WIDGET)

    assert "A circle on Purple Cow starts Tuesday" in response.content.decode()


@pytest.mark.parametrize(
    ("starts", "phrase"),
    [
        (dt.datetime(2031, 3, 5, 12, 30, tzinfo=LONDON), "today"),
        (dt.datetime(2031, 3, 6, 12, 30, tzinfo=LONDON), "tomorrow"),
        (dt.datetime(2031, 3, 11, 12, 30, tzinfo=LONDON), "Tuesday"),
        (dt.datetime(2031, 3, 12, 12, 30, tzinfo=LONDON), "on 12 March"),
    ],
)
def test_the_start_is_said_as_people_say_it(starts, phrase):
    assert starts_phrase(starts, "Europe/London", WEDNESDAY) == phrase


def test_the_start_day_is_the_circles_own():
    # 23:30 on Wednesday in New York is already Thursday in London.
    new_york = dt.datetime(2031, 3, 5, 23, 30, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    now = dt.datetime(2031, 3, 5, 20, 0, tzinfo=dt.UTC)
    assert starts_phrase(new_york, "America/New_York", now) == "today"
    assert starts_phrase(new_york, "Europe/London", now) == "tomorrow"
