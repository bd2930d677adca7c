"""Reading sent emails back the way a mail client would."""

from email import message_from_bytes

from icalendar import Calendar


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
