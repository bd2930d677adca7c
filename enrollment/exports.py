"""One person's transcript as CSV and as xAPI statements.

Both are built from TranscriptEvents only, so an export shows exactly the official record.
"""

import uuid

from django.conf import settings

from learning_portal.core.csvfiles import csv_text

from .models import TranscriptEvent

# Statement ids are uuid5 of the event id in this namespace: stable across exports.
STATEMENT_NAMESPACE = uuid.UUID("8f2b0c1e-4d1a-5b7e-9c3f-6a2d4e8b1f07")
ADL_VERBS = {
    TranscriptEvent.Kind.REGISTERED: ("http://adlnet.gov/expapi/verbs/registered", "registered"),
    TranscriptEvent.Kind.PROMOTED: ("http://adlnet.gov/expapi/verbs/registered", "registered"),
    TranscriptEvent.Kind.COMPLETED: ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    TranscriptEvent.Kind.WITHDREW: ("http://adlnet.gov/expapi/verbs/unregistered", "unregistered"),
    TranscriptEvent.Kind.CANCELLED: ("http://adlnet.gov/expapi/verbs/unregistered", "unregistered"),
}
CSV_HEADER = [
    "Date and time (UTC)",
    "Event",
    "Learning item",
    "Format",
    "Session starts (UTC)",
    "Source",
    "Recorded by",
    "Note",
]


def transcript_csv(events) -> str:
    """The events as CSV text; the kernel's writer makes every cell formula-safe."""
    return csv_text(
        CSV_HEADER,
        (
            (
                event.occurred_at.isoformat(),
                event.get_kind_display(),
                event.item.title,
                event.item.get_format_display(),
                event.offering.starts_at.isoformat() if event.offering else "",
                event.get_source_display(),
                "Self" if event.actor_id == event.user_id else (event.actor or "System"),
                event.note,
            )
            for event in events
        ),
    )


def statement_id(event: TranscriptEvent) -> str:
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"transcript-event:{event.pk}"))


def xapi_statements(events, *, employee_id: str) -> list[dict]:
    """xAPI 1.0.3 statements; the waitlist is not an xAPI verb, so waitlisting is left out."""
    base = settings.PORTAL_BASE_URL
    statements = []
    for event in events:
        verb = ADL_VERBS.get(event.kind)
        if verb is None:
            continue
        verb_id, verb_name = verb
        item = event.item
        statement = {
            "id": statement_id(event),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": base, "name": employee_id},
            },
            "verb": {"id": verb_id, "display": {"en-US": verb_name}},
            "object": {
                "objectType": "Activity",
                "id": base + item.get_absolute_url(),
                "definition": {
                    "name": {"en-US": item.title},
                    "description": {"en-US": item.summary},
                },
            },
            "timestamp": event.occurred_at.isoformat(),
        }
        if event.kind == TranscriptEvent.Kind.COMPLETED:
            statement["result"] = {"completion": True}
            if event.note:
                statement["result"]["response"] = event.note
        statements.append(statement)
    return statements
