"""A circle whose meetings have been held, the way circles records it (wrap-up service)."""

import datetime as dt

import time_machine

from circles import services as circle_services
from circles.selectors import circle_member_users
from tests.circles.factories import make_circle
from tests.people.factories import EmployeeFactory


def running_circle(*, members: int = 2, title: str = "Purple Cow spring circle"):
    """A running circle with seated members; returns (circle, facilitator, members)."""
    circle = make_circle(state="running", title=title)
    people = [EmployeeFactory().user for _ in range(members)]
    for user in people:
        circle_services.circle_join(user=user, circle=circle)
    return circle, circle.proposed_by, people


def hold_meeting(circle, week: int, *, attended, publish: bool = False, summary: str = ""):
    """Wrap up the week's meeting after it ended, with attendance for `attended` members."""
    meeting = circle.meetings.get(week=week)
    members = circle_member_users(circle=circle)
    attendance = {user.pk: user in attended for user in members if user != circle.proposed_by}
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        return circle_services.wrapup_save(
            meeting=meeting,
            actor=circle.proposed_by,
            held=True,
            attendance=attendance,
            summary=summary,
            publish=publish,
        )
