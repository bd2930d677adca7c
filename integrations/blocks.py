"""The Slack messages a circle's channel gets, as Block Kit: prompt, reminder, summary.

Each has a plain `text` too: Slack shows it in notifications and where blocks cannot be shown.
"""

from django.urls import reverse
from django.utils.formats import date_format

from circles.models import Meeting, Thread, Wrapup
from notifications.services import absolute_url

from .slack import mrkdwn_escape, mrkdwn_from_markdown

# Slack refuses a section longer than this; the rest is on the portal, one click away.
SECTION_LIMIT = 2900


def _section(markdown: str) -> dict:
    text = mrkdwn_from_markdown(markdown)
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1].rstrip() + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(text: str, url: str, *, primary: bool = False, action: str) -> dict:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "url": url,
        "action_id": action,
    }
    if primary:
        button["style"] = "primary"
    return button


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def prompt_message(thread: Thread) -> tuple[str, list]:
    circle = thread.circle
    url = absolute_url(thread.get_absolute_url())
    # Titles and notes are people's plain text: escaped wherever Slack reads mrkdwn.
    title = mrkdwn_escape(circle.title)
    text = f"{title}, week {thread.week}: {mrkdwn_escape(thread.title)}"
    blocks = [
        _header(f"Week {thread.week}: {thread.title}"),
        _section(thread.prompt or "What stood out for you this week?"),
        {
            "type": "actions",
            "elements": [
                _button("Discuss on the portal", url, primary=True, action="discuss_on_portal")
            ],
        },
        _context(
            f"{title} · Reply in this message's thread: replies appear in the week's "
            "discussion on the portal, under your name."
        ),
    ]
    return text, blocks


def reminder_message(meeting: Meeting) -> tuple[str, list]:
    circle = meeting.circle
    when = meeting.local_starts_at
    day = date_format(when, "l j F")
    time = date_format(when, "H:i")
    title = mrkdwn_escape(circle.title)
    text = f"Reminder: {title} meets {day} at {time} ({circle.timezone})"
    lines = [f"*{title}* meets *{day} at {time}* ({circle.timezone}) for week {meeting.week}."]
    if meeting.reminder_note:
        lines.append(mrkdwn_escape(meeting.reminder_note))
    buttons = []
    if circle.video_url:
        # Through the portal, which lets members in: whoever else reads the channel gets a
        # link that asks them to join the circle, not the call itself.
        call = absolute_url(reverse("circles:call", kwargs={"slug": circle.slug}))
        buttons.append(_button("Join the call", call, primary=True, action="join_call"))
    buttons.append(
        _button(
            "Discuss on the portal",
            absolute_url(reverse("circles:discussion", kwargs={"slug": circle.slug})),
            action="discuss_on_portal",
        )
    )
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:SECTION_LIMIT]}},
        {"type": "actions", "elements": buttons},
    ]
    return text, blocks


def summary_message(wrapup: Wrapup) -> tuple[str, list]:
    meeting = wrapup.meeting
    circle = meeting.circle
    text = f"{mrkdwn_escape(circle.title)}, week {meeting.week}: the summary is published"
    blocks = [_header(f"Week {meeting.week} summary")]
    if wrapup.summary:
        blocks.append(_section(wrapup.summary))
    if wrapup.insight_list:
        insights = "\n".join(f"• {insight}" for insight in wrapup.insight_list)
        blocks.append(_section(f"**Key insights**\n{insights}"))
    blocks.append(
        {
            "type": "actions",
            "elements": [
                _button(
                    "Read the archive",
                    absolute_url(reverse("circles:insights", kwargs={"slug": circle.slug})),
                    action="read_archive",
                )
            ],
        }
    )
    return text, blocks
