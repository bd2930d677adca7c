"""Slack and Notion as Celery tasks: ids in, idempotent, retried with backoff.

A worker retries a failed call with exponential backoff (SLACK_RETRY_BACKOFF doubling, at
most SLACK_RETRY_BACKOFF_MAX, SLACK_MAX_RETRIES times; the same for Notion), reading the
settings when it retries. In eager mode (the embedded default, no worker) nothing is
retried in the request: the row keeps its error, and the admin sends it again.
"""

import logging

from celery import shared_task
from django.conf import settings

from . import services
from .notion import NotionError
from .slack import SlackError

logger = logging.getLogger(__name__)


def _countdown(retries: int, retry_after: int | None = None) -> int:
    if retry_after:
        return min(retry_after, settings.SLACK_RETRY_BACKOFF_MAX)
    return min(settings.SLACK_RETRY_BACKOFF * 2**retries, settings.SLACK_RETRY_BACKOFF_MAX)


def _retry_or_give_up(task, exc: Exception, *, retry_after: int | None = None) -> bool:
    """Retry later (raises celery's Retry), or return False when there is no later."""
    if getattr(exc, "permanent", False) or task.request.is_eager:
        logger.warning("%s failed and is not retried: %s", task.name, exc)
        return False
    if task.request.retries >= settings.SLACK_MAX_RETRIES:
        logger.error("%s failed after %s retries: %s", task.name, task.request.retries, exc)
        return False
    raise task.retry(exc=exc, countdown=_countdown(task.request.retries, retry_after))


@shared_task(bind=True, max_retries=None, ignore_result=True)
def send_slack_message(self, message_id: int) -> bool:
    """Post one outbox message to Slack, exactly once (see SlackMessage)."""
    try:
        return services.slack_message_send(message_id=message_id)
    except SlackError as exc:
        if not _retry_or_give_up(self, exc, retry_after=exc.retry_after):
            services.slack_message_give_up(message_id=message_id)
        return False


@shared_task(bind=True, max_retries=None, ignore_result=True)
def process_slack_event(self, event_pk: int) -> str:
    """Turn a recorded Slack event into a discussion post (or record why not)."""
    try:
        event = services.slack_event_process(event_pk=event_pk)
    except SlackError as exc:
        _retry_or_give_up(self, exc, retry_after=exc.retry_after)
        return "failed"
    return event.outcome if event else "done"


@shared_task(bind=True, max_retries=None, ignore_result=True)
def publish_notion_week(self, circle_id: int, week: int) -> int:
    """Create or update one published week's Notion page."""
    try:
        return len(services.notion_week_publish(circle_id=circle_id, week=week))
    except NotionError as exc:
        _retry_or_give_up(self, exc)
        return 0


@shared_task(bind=True, max_retries=None, ignore_result=True)
def push_notion_archive(self, circle_id: int) -> int:
    """Push a circle's whole archive to Notion (its page and each published week's)."""
    try:
        return len(services.notion_archive_push(circle_id=circle_id))
    except NotionError as exc:
        _retry_or_give_up(self, exc)
        return 0
