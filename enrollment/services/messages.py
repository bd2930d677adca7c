"""What the enrollment services say when they refuse: module constants, so tests check the text."""

USER_INACTIVE = "This account is deactivated, so it cannot enroll."
ITEM_NOT_AVAILABLE = "This learning item is not available to this person."
OFFERING_REQUIRED = "Choose a session: this item is taught in scheduled sessions."
SELF_PACED_HAS_NO_SESSIONS = "This item is self-paced: there is no session to choose."
OFFERING_OTHER_ITEM = "That session belongs to another learning item."
OFFERING_CANCELLED = "This session has been cancelled."
ENROLLMENT_CLOSED = "Enrollment for this session is closed."
OFFERING_FULL = "This session is full and has no waitlist."
ALREADY_IN_OTHER_SESSION = (
    "You already have a place in another session of this item. Switch sessions instead."
)
WITHDRAW_NOT_ACTIVE = "Only a current enrollment or waitlist place can be withdrawn."
WITHDRAW_TOO_LATE = "The session has started, so it is too late to withdraw."
WITHDRAW_SERIES_OVER = "The last meeting is over, so there is nothing left to withdraw from."
SWITCH_NOT_ACTIVE = "Only a current enrollment or waitlist place can be switched."
SWITCH_SAME_OFFERING = "You are already in this session."
SWITCH_WOULD_LOSE_SEAT = (
    "That session is full. Switching would give up your seat for a waitlist place, so your "
    "current seat was kept."
)
COMPLETE_NOT_SELF_PACED = (
    "Sessions are marked complete by the facilitator when you attend, not by yourself."
)
COMPLETE_NOT_ENROLLED = "Only a current enrollment can be marked complete."
ATTENDANCE_NOT_SESSION = (
    "Attendance is marked for sessions only; self-paced items are self-attested."
)
ATTENDANCE_NOT_ENROLLED = "Only a person holding a seat can be marked as attended."
ATTENDANCE_BEFORE_START = "Attendance can be marked once the session has started."
CAPACITY_INVALID = "Capacity must be at least 1, or empty for no limit."
OFFERING_ALREADY_CANCELLED = "This session is already cancelled."
OFFERING_FIELD_NOT_EDITABLE = "%(field)s cannot be changed here."
