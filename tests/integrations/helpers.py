"""A running circle with its first week's thread open and a member, for the connectors."""

from circles import services as circles
from tests.circles.factories import make_circle, next_weekday
from tests.people.factories import EmployeeFactory


def running_circle(**overrides):
    """First meeting within the coming week, so its thread is open now."""
    options = {"title": "Purple Cow circle", "start_date": next_weekday(1, after_days=1)}
    circle = make_circle(state="running", **{**options, **overrides})
    circles.thread_open_due()
    return circle


def member_of(circle, email="ada@example.org"):
    user = EmployeeFactory(user__email=email).user
    circles.circle_join(user=user, circle=circle)
    return user
