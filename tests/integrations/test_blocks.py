"""The Slack messages' text: what people typed is plain text, never Slack markup."""

import json

import pytest

from integrations import blocks
from tests.integrations.helpers import running_circle

pytestmark = pytest.mark.django_db

TITLE = "<!channel> Purple Cow & friends"
NOTE = "Bring <https://evil.example|the agenda> > notes"


def _everything(text, body) -> str:
    return text + json.dumps(body)


def test_titles_and_notes_cannot_notify_the_channel_or_hide_a_link():
    circle = running_circle(title=TITLE)
    meeting = circle.meetings.get(week=1)
    meeting.reminder_note = NOTE
    meeting.save(update_fields=["reminder_note"])
    thread = circle.threads.get(week=1)

    for text, body in (blocks.reminder_message(meeting), blocks.prompt_message(thread)):
        sent = _everything(text, body)
        assert "<!channel>" not in sent
        assert "&lt;!channel&gt; Purple Cow &amp; friends" in sent
    reminder = _everything(*blocks.reminder_message(meeting))
    assert "<https://evil.example|" not in reminder
    assert "Bring &lt;https://evil.example|the agenda&gt; &gt; notes" in reminder
