"""Circle emails and the clock, as Celery tasks: ids in, each calls one service (the fan-outs
are circles.services.notices), idempotent, each email keyed once."""

from celery import shared_task

from notifications.services import EMAIL_TASK_RETRY

# The services queue these tasks and the tasks call the services: each module uses the other
# only when a function runs, so either may be imported first.
from . import services


@shared_task(ignore_result=True)
def advance_circle_states() -> int:
    """Beat: open → running → finished by the meeting times. Idempotent."""
    return services.circle_states_advance()


@shared_task(**EMAIL_TASK_RETRY)
def notify_circle_opened(circle_id: int) -> int:
    """A circle opened: tell each person who asked about a circle on its subject, once."""
    return services.circle_opened_notify(circle_id=circle_id)


@shared_task(**EMAIL_TASK_RETRY)
def sync_circle_invites(circle_id: int) -> int:
    """Every member has the series invite, and everyone who left has its CANCEL."""
    return services.circle_invites_sync(circle_id=circle_id)


@shared_task(ignore_result=True)
def sync_all_circle_invites() -> int:
    """Beat: `sync_circle_invites` for every circle that is open or running."""
    return services.circle_invites_sync_all()


@shared_task(**EMAIL_TASK_RETRY)
def send_meeting_changed(meeting_id: int) -> int:
    """A meeting moved or was cancelled: each member gets the notice and updated invite."""
    return services.meeting_changed_notify(meeting_id=meeting_id)


@shared_task(**EMAIL_TASK_RETRY)
def send_meeting_reminders() -> int:
    """Beat: remind each member of a meeting starting soon, once per start time."""
    return services.meeting_reminders_send()


@shared_task(ignore_result=True)
def open_due_threads() -> int:
    """Beat: open each week's thread a week before its meeting, with the plan's prompt."""
    return services.thread_open_due()


@shared_task(**EMAIL_TASK_RETRY)
def send_mentions(post_id: int, user_ids: list[int]) -> int:
    """Tell the members a post mentions, once each."""
    return services.mentions_send(post_id=post_id, user_ids=user_ids)


@shared_task(**EMAIL_TASK_RETRY)
def send_circle_digests() -> int:
    """Beat (hourly): each member's digest of the last day or week, once per period."""
    return services.circle_digests_send()


@shared_task(**EMAIL_TASK_RETRY)
def send_circle_surveys() -> int:
    """Beat: the end-of-circle surveys, each once per person."""
    return services.circle_surveys_send()


@shared_task(**EMAIL_TASK_RETRY)
def send_checkins() -> int:
    """Beat: the 30-day check-in on what a learner said they would try, once."""
    return services.checkins_send()


@shared_task(ignore_result=True)
def apply_discussion_retention() -> dict:
    """Beat (daily): delete discussions past the retention window. Idempotent."""
    return services.discussion_retention_apply()
