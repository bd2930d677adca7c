"""The connectors' side of circles' signals: a linked channel gets the post, a linked
Notion parent the page (kept in step with the archive: corrected, or moved to Notion's trash
when the week is taken out). Each receiver does nothing for a circle with no link."""

from django.db import transaction
from django.dispatch import receiver

from circles.signals import (
    archive_changed,
    meeting_reminder_due,
    summary_published,
    thread_opened,
)

from . import services


@receiver(thread_opened, dispatch_uid="integrations-slack-prompt")
def post_prompt(sender, thread, **kwargs):
    with transaction.atomic():
        services.slack_prompt_schedule(thread=thread)


@receiver(meeting_reminder_due, dispatch_uid="integrations-slack-reminder")
def post_reminder(sender, meeting, **kwargs):
    with transaction.atomic():
        services.slack_reminder_schedule(meeting=meeting)


@receiver(summary_published, dispatch_uid="integrations-summary")
def publish_summary(sender, wrapup, **kwargs):
    with transaction.atomic():
        services.slack_summary_schedule(wrapup=wrapup)


@receiver(archive_changed, dispatch_uid="integrations-notion-week")
def sync_notion_week(sender, circle_id, week, **kwargs):
    with transaction.atomic():
        services.notion_week_schedule(circle_id=circle_id, week=week)
