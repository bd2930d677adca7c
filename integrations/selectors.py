"""Reads of the connectors, for the facilitators' page and the admin."""

from django.db.models import QuerySet

from circles.models import Circle

from . import notion, slack
from .models import NotionLink, NotionPage, SlackChannelLink, SlackMessage

RECENT_MESSAGES = 10


def slack_link_for(*, circle: Circle) -> SlackChannelLink | None:
    return SlackChannelLink.objects.filter(circle=circle).first()


def notion_link_for(*, circle: Circle) -> NotionLink | None:
    return NotionLink.objects.filter(circle=circle).first()


def slack_messages_recent(*, circle: Circle) -> QuerySet[SlackMessage]:
    """The circle's latest posts to Slack with their fate, newest first."""
    return SlackMessage.objects.filter(circle=circle).order_by("-created_at", "-pk")[
        :RECENT_MESSAGES
    ]


def notion_pages_for(*, circle: Circle) -> QuerySet[NotionPage]:
    return NotionPage.objects.filter(circle=circle).order_by("week")


def connectors_configured() -> dict[str, bool]:
    """What the portal's environment provides (the page explains what each one enables)."""
    return {
        "slack_bot": slack.bot_configured(),
        "slack_events": slack.events_configured(),
        "notion": notion.configured(),
    }
