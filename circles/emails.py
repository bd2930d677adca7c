"""The circles' emails, each through `email_send_once` under a key naming what it is about:
- one "a circle opened" email per interest request.
"""

from notifications.kinds import Kind
from notifications.services import absolute_url, email_send_once

from .models import Circle, Interest

TEMPLATE_DIR = "circles/email"


def circle_opened_send(*, interest: Interest, circle: Circle) -> bool:
    return email_send_once(
        key=f"circle-opened:{interest.pk}",
        user=interest.user,
        template=f"{TEMPLATE_DIR}/circle_opened",
        context={"circle": circle, "circle_url": absolute_url(circle.get_absolute_url())},
        kind=Kind.CIRCLE_OPENED,
    )
