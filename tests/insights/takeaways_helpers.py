"""A circle with takeaways on and a week of discussion written as a real circle would."""

import datetime as dt

from django.utils import timezone

from circles import services as circle_services
from circles.models import Post
from tests.circles.factories import make_circle
from tests.people.factories import EmployeeFactory

DISCUSSION = [
    "The purple cow idea hit me: a remarkable product is one people talk about. Safe is risky.",
    "On our ward the remarkable moment is discharge. Patient experience at discharge is where "
    "families remember us, good or bad.",
    "Agree with Ada Lovelace here. Patient experience is remarkable when small touches happen "
    "at discharge, like a call the next day.",
    "I'd love a session on conflict resolution, because handovers get tense at night.",
    "Could we have a workshop about patient experience design? It would help the whole team.",
    "Godin says the otaku are the people who care deeply. Our otaku are the families who visit "
    "every day and notice everything.",
    "Being remarkable costs less than advertising. A purple cow on the ward could be as simple "
    "as a handwritten note.",
    "Reach me on 07700 900123 or ada.lovelace@example.org if you want my discharge checklist.",
    "My employee number is E900001, in case the checklist needs approval from HR.",
    "I wish there was a course on conflict resolution for night shifts.",
    "Safe is risky: if we keep discharge boring, nobody remembers the care we gave.",
    "The chapter on otaku made me think about which families would spread the word.",
]


VOICES = ["Noor", "Olu", "Priya", "Quinn"]


def circle_with_discussion(
    *, enabled=True, posts=DISCUSSION, member_employee_id="E900001", authors=5
):
    """The facilitator and Ada write the posts in turn with `authors - 2` more members (a
    week of 5 voices reaches HR's themes; fewer stays within the circle)."""
    facilitator = EmployeeFactory(user__first_name="Fran", user__last_name="Facilitator").user
    circle = make_circle(state="open", proposer=facilitator)
    circle_services.thread_open_due(now=circle.offering.starts_at)
    member = EmployeeFactory(
        user__first_name="Ada", user__last_name="Lovelace", employee_id=member_employee_id
    ).user
    circle_services.circle_join(user=member, circle=circle)
    writers = [facilitator, member]
    for name in VOICES[: max(0, authors - 2)]:
        voice = EmployeeFactory(user__first_name=name, user__last_name="Writer").user
        circle_services.circle_join(user=voice, circle=circle)
        writers.append(voice)
    if enabled:
        circle_services.circle_takeaways_set(circle=circle, actor=facilitator, enabled=True)
        circle.refresh_from_db()
    thread = circle.threads.get(week=1)
    start = timezone.now() + dt.timedelta(seconds=1)
    for n, body in enumerate(posts):
        Post.objects.create(
            thread=thread,
            author=writers[n % len(writers)],
            body=body,
            created_at=start + dt.timedelta(minutes=n),
        )
    return circle, facilitator, member
