"""Circle emails through a real Celery worker on Redis: each sent exactly once."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from circles import services, tasks
from circles.models import Post
from notifications.models import SentEmail
from tests.circles.factories import make_circle
from tests.helpers import wait_for
from tests.people.factories import EmployeeFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_reminders_queued_twice_to_a_real_worker_go_out_once_per_member(redis_worker):
    circle = make_circle(state="open")
    member = EmployeeFactory().user
    services.circle_join(user=member, circle=circle)
    week1 = circle.meetings.get(week=1)
    services.meeting_move(
        meeting=week1, actor=circle.proposed_by, starts_at=timezone.now() + dt.timedelta(hours=2)
    )
    mail.outbox.clear()

    tasks.send_meeting_reminders.delay()
    tasks.send_meeting_reminders.delay()
    # Queued last: one worker takes tasks in order, so both runs are done when this is.
    tasks.advance_circle_states.delay()

    reminders = SentEmail.objects.filter(key__startswith=f"meeting-reminder:{week1.pk}:")
    assert wait_for(lambda: reminders.count() == 2)
    assert wait_for(lambda: len([m for m in mail.outbox if "Tomorrow" in m.subject]) == 2)
    recipients = sorted(m.to[0] for m in mail.outbox if "Tomorrow" in m.subject)
    assert recipients == sorted([member.email, circle.proposed_by.email])


def test_digests_queued_twice_to_a_real_worker_go_out_once_per_member(redis_worker):  # noqa: F811
    circle = make_circle(state="open")
    services.thread_open_due(now=circle.offering.starts_at)
    author, reader = EmployeeFactory().user, EmployeeFactory().user
    for user in (author, reader):
        services.circle_join(user=user, circle=circle)
    post = services.post_create(thread=circle.threads.get(week=1), author=author, body="Hi")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    mail.outbox.clear()

    tasks.send_circle_digests.delay()
    tasks.send_circle_digests.delay()
    tasks.advance_circle_states.delay()

    digests = SentEmail.objects.filter(key__startswith=f"circle-digest:{circle.pk}:")
    assert wait_for(lambda: digests.count() == 2)  # the reader and the facilitator
    assert wait_for(lambda: len([m for m in mail.outbox if "new post" in m.subject]) == 2)
    recipients = sorted(m.to[0] for m in mail.outbox if "new post" in m.subject)
    assert recipients == sorted([reader.email, circle.proposed_by.email])
