"""The transcript (TranscriptEvent) is written here and nowhere else.

A change of an enrollment's status and its event are written together (`transition`), and
the emails it causes are recorded in the outbox with them (`schedule`).
"""

import datetime

from learning_portal.core.record_versions import record_version_bump
from notifications.services import outbox_schedule
from people.models import User

from ..models import Enrollment, TranscriptEvent


def event(
    *, enrollment: Enrollment, kind: str, source: str, actor: User | None, at, note: str = ""
) -> TranscriptEvent:
    # Caches derived from the person's record (the widget's suggestions) start over.
    record_version_bump(user_id=enrollment.user_id)
    return TranscriptEvent.objects.create(
        user_id=enrollment.user_id,
        enrollment=enrollment,
        item_id=enrollment.item_id,
        offering_id=enrollment.offering_id,
        kind=kind,
        source=source,
        actor=actor,
        occurred_at=at,
        note=note,
    )


def transition(
    enrollment: Enrollment,
    *,
    status: str,
    kind: str,
    source: str,
    actor: User | None,
    at: datetime.datetime,
    note: str = "",
    **stamps,
) -> None:
    """Move the enrollment to `status` (setting `stamps`, e.g. completed_at) and record it.

    The row and its transcript event are written together, so no change of status goes
    unrecorded.
    """
    enrollment.status = status
    for name, value in stamps.items():
        setattr(enrollment, name, value)
    enrollment.save(update_fields=["status", *stamps, "updated_at"])
    event(enrollment=enrollment, kind=kind, source=source, actor=actor, at=at, note=note)


def schedule(task, object_id: int) -> None:
    """Queue `task(object_id)` with this write: an outbox row in the same transaction.

    Published when the transaction commits, or, if the broker is unavailable then, by the
    outbox sweeper once it is back (notifications.services.outbox_schedule).
    """
    outbox_schedule(task=task, args=[object_id])
