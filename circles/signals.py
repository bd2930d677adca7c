"""What circles tell the apps above them (the Slack and Notion connectors), without
knowing them: each signal is sent by a circles service inside its own transaction, so a
receiver's writes (an outbox row) commit or roll back with it.

- `thread_opened(sender=Thread, thread=…)`: a week's thread opened with its prompt.
- `meeting_reminder_due(sender=Meeting, meeting=…)`: a meeting's reminders are due (sent
  on every beat run while they are: receivers are idempotent).
- `summary_published(sender=Wrapup, wrapup=…)`: a week's summary was published (once:
  announced where the circle talks).
- `archive_changed(sender=…, circle_id=…, week=…)`: what the archive shows for a week
  changed: its summary published, corrected while published or taken out again, or a quote
  chosen or removed. Copies of the archive kept elsewhere follow it.
"""

from django.dispatch import Signal

thread_opened = Signal()
meeting_reminder_due = Signal()
summary_published = Signal()
archive_changed = Signal()
