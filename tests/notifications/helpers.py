"""Reading sent emails back the way a mail client would, and watching what is recorded of
an email while it goes out."""

from email import message_from_bytes

from django.core.mail.backends import locmem
from icalendar import Calendar

from notifications.models import SentEmail


def parsed(message):
    """The email as it goes over the wire, parsed back with the standard library."""
    return message_from_bytes(message.message().as_bytes())


def html_part(message) -> str:
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def calendar_parts(message) -> list:
    return [part for part in parsed(message).walk() if part.get_content_type() == "text/calendar"]


def invite(message):
    """The one .ics attached: (its Content-Type header, the VEVENT, the VCALENDAR)."""
    (part,) = calendar_parts(message)
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    return part["Content-Type"], event, calendar


class RowWatchingBackend(locmem.EmailBackend):
    """The in-memory backend (mail.outbox), noting as each email goes out what the portal
    has recorded of it: the claimed rows, with their status and the message kept for resend."""

    seen: list[dict] = []

    def send_messages(self, messages):
        rows = SentEmail.objects.filter(status=SentEmail.Status.SENDING)
        RowWatchingBackend.seen.extend(rows.values("key", "status", "message"))
        return super().send_messages(messages)
