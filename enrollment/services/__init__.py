"""Every write to enrollments and the transcript, split by job.

- `enrollments`: enroll, withdraw, switch sessions, complete, mark attendance;
- `offerings`: changes to sessions (time, place, capacity, cancellation) and their effects;
- `interest`: saved items and "notify me" requests (never the transcript);
- `popularity`: the items' popularity from recent enrollments;
- `seats`, `transcript`, `locking`: taking and filling seats, the transcript's only writer,
  and the one lock order (offering → enrollment; several offerings in id order);
- `messages`: what a refusal says.

Policies chosen here (and shown to learners on the confirmation pages):
- Withdrawal cut-off: until the session starts (after enrollment closes a person may still
  give up a seat, which goes to the waitlist); self-paced items any time before completion.
- Switching sessions never trades a seat for a waitlist place: if the new session is full,
  the switch is refused and the learner keeps their seat. A person on a waitlist may switch
  onto another session's waitlist.
- Lowering capacity never removes anyone: nobody is promoted until seats free up again.
- People no longer eligible (deactivated, or out of the item's audience) are skipped by
  promotion and stay where they are on the waitlist.
"""

from .enrollments import (
    attendance_mark,
    enrollment_complete,
    enrollment_create,
    enrollment_switch,
    enrollment_withdraw,
)
from .interest import (
    pending_request_cancel,
    pending_request_register,
    saved_item_toggle,
    session_interest_cancel,
    session_interest_notify_opened,
    session_interest_register,
)
from .messages import (
    ALREADY_IN_OTHER_SESSION,
    ATTENDANCE_BEFORE_START,
    ATTENDANCE_NOT_ENROLLED,
    ATTENDANCE_NOT_SESSION,
    CAPACITY_INVALID,
    COMPLETE_NOT_ENROLLED,
    COMPLETE_NOT_SELF_PACED,
    ENROLLMENT_CLOSED,
    ITEM_NOT_AVAILABLE,
    OFFERING_ALREADY_CANCELLED,
    OFFERING_CANCELLED,
    OFFERING_FIELD_NOT_EDITABLE,
    OFFERING_FULL,
    OFFERING_OTHER_ITEM,
    OFFERING_REQUIRED,
    SELF_PACED_HAS_NO_SESSIONS,
    SWITCH_NOT_ACTIVE,
    SWITCH_SAME_OFFERING,
    SWITCH_WOULD_LOSE_SEAT,
    USER_INACTIVE,
    WITHDRAW_NOT_ACTIVE,
    WITHDRAW_SERIES_OVER,
    WITHDRAW_TOO_LATE,
)
from .offerings import (
    INVITE_FIELDS,
    OFFERING_EDITABLE_FIELDS,
    acting_as,
    current_actor,
    offering_cancel,
    offering_changes_apply,
    offering_invites_revise,
    offering_set_capacity,
    offering_update,
)
from .popularity import POPULARITY_WINDOW, item_popularity_refresh

__all__ = [
    "ALREADY_IN_OTHER_SESSION",
    "ATTENDANCE_BEFORE_START",
    "ATTENDANCE_NOT_ENROLLED",
    "ATTENDANCE_NOT_SESSION",
    "CAPACITY_INVALID",
    "COMPLETE_NOT_ENROLLED",
    "COMPLETE_NOT_SELF_PACED",
    "ENROLLMENT_CLOSED",
    "INVITE_FIELDS",
    "ITEM_NOT_AVAILABLE",
    "OFFERING_ALREADY_CANCELLED",
    "OFFERING_CANCELLED",
    "OFFERING_EDITABLE_FIELDS",
    "OFFERING_FIELD_NOT_EDITABLE",
    "OFFERING_FULL",
    "OFFERING_OTHER_ITEM",
    "OFFERING_REQUIRED",
    "POPULARITY_WINDOW",
    "SELF_PACED_HAS_NO_SESSIONS",
    "SWITCH_NOT_ACTIVE",
    "SWITCH_SAME_OFFERING",
    "SWITCH_WOULD_LOSE_SEAT",
    "USER_INACTIVE",
    "WITHDRAW_NOT_ACTIVE",
    "WITHDRAW_SERIES_OVER",
    "WITHDRAW_TOO_LATE",
    "acting_as",
    "attendance_mark",
    "current_actor",
    "enrollment_complete",
    "enrollment_create",
    "enrollment_switch",
    "enrollment_withdraw",
    "item_popularity_refresh",
    "offering_cancel",
    "offering_changes_apply",
    "offering_invites_revise",
    "offering_set_capacity",
    "offering_update",
    "saved_item_toggle",
    "pending_request_cancel",
    "pending_request_register",
    "session_interest_cancel",
    "session_interest_notify_opened",
    "session_interest_register",
]
