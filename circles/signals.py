"""What circles tell the apps above them (the Slack and Notion connectors), without
knowing them: each signal is sent by a circles service inside its own transaction, so a
receiver's writes (an outbox row) commit or roll back with it.

- `thread_opened(sender=Thread, thread=…)`: a week's thread opened with its prompt.
- `meeting_reminder_due(sender=Meeting, meeting=…)`: a meeting's reminders are due (sent
  on every beat run while they are: receivers are idempotent).
- `summary_published(sender=Wrapup, wrapup=…)`: a week's summary was published.
"""

from django.dispatch import Signal

thread_opened = Signal()
meeting_reminder_due = Signal()
summary_published = Signal()
