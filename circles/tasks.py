"""Circle emails and the clock, as Celery tasks: ids in, idempotent, each email keyed once."""

import logging

from celery import shared_task
from django.utils import timezone

from enrollment.selectors import item_is_enrollable_by
from notifications.kinds import Kind
from notifications.selectors import email_allowed
from notifications.services import EMAIL_TASK_RETRY

from . import emails
from .models import Circle, Interest

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def advance_circle_states() -> int:
    """Beat: open → running → finished by the meeting times. Idempotent."""
    from .services import circle_states_advance

    return circle_states_advance()


@shared_task(**EMAIL_TASK_RETRY)
def notify_circle_opened(circle_id: int) -> int:
    """A circle opened: tell each person who asked about a circle on its subject, once.

    People who cannot see the circle (its audience) or switched these emails off stay
    pending. The request is marked fulfilled once its email is sent.
    """
    circle = (
        Circle.objects.select_related("item", "subject", "offering").filter(pk=circle_id).first()
    )
    if circle is None or circle.state != Circle.State.OPEN:
        return 0
    pending = Interest.objects.filter(
        subject_id=circle.subject_id, notified_at__isnull=True
    ).select_related("user")
    sent = 0
    for interest in pending.iterator():
        user = interest.user
        if not email_allowed(user=user, kind=Kind.CIRCLE_OPENED):
            continue
        if not item_is_enrollable_by(user=user, item=circle.item):
            continue
        # The email's key is claimed and committed before it is sent (notifications), so a
        # concurrent or repeated run sends it once; the request is fulfilled after the send.
        sent += emails.circle_opened_send(interest=interest, circle=circle)
        Interest.objects.filter(pk=interest.pk, notified_at__isnull=True).update(
            notified_at=timezone.now(), notified_about=circle
        )
    return sent
