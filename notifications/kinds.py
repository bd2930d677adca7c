"""The kinds of email the portal sends, and which of them a person may turn off."""

from django.db import models


class Kind(models.TextChoices):
    # Transactional: the direct answer to something the person did, or a change to a session
    # they are on. These always go, whatever the preferences say.
    ENROLLMENT_CONFIRMATION = "enrollment_confirmation", "Enrollment confirmation"
    WAITLIST_CONFIRMATION = "waitlist_confirmation", "Waitlist confirmation"
    PROMOTION = "promotion", "Promotion from the waitlist"
    WITHDRAWAL = "withdrawal", "Withdrawal confirmation"
    SESSION_CHANGED = "session_changed", "Session changed"
    SESSION_CANCELLED = "session_cancelled", "Session cancelled"
    MEETING_INVITES = "meeting_invites", "Circle meeting invites"
    MEETING_CHANGED = "meeting_changed", "Circle meeting changed"
    CIRCLE_SURVEY = "circle_survey", "Circle survey"
    CIRCLE_CHECKIN = "circle_checkin", "Circle 30-day check-in"
    # Part of a learning admin's role, like a rota: sent to the role, not switched off.
    INSIGHTS_REPORT = "insights_report", "Monthly insights report"
    # Optional: each maps to a switch on EmailPreference.
    SESSION_REMINDER = "session_reminder", "Session reminder"
    SESSION_OPENED = "session_opened", "New session opened"
    THEME_ANNOUNCEMENT = "theme_announcement", "Theme announcement"
    MANAGER_SUGGESTION = "manager_suggestion", "Manager suggestion"
    CIRCLE_OPENED = "circle_opened", "New learning circle"
    MEETING_REMINDER = "meeting_reminder", "Circle meeting reminder"
    CIRCLE_MENTION = "circle_mention", "Mentioned in a circle"
    CIRCLE_DIGEST = "circle_digest", "Circle discussion digest"


# Optional kind → the EmailPreference field that switches it off.
OPTIONAL_KINDS: dict[str, str] = {
    Kind.SESSION_REMINDER: "session_reminders",
    Kind.SESSION_OPENED: "session_opened",
    Kind.THEME_ANNOUNCEMENT: "theme_announcements",
    Kind.MANAGER_SUGGESTION: "manager_suggestions",
    # A circle on something the person asked about is "a new session" of it, and a meeting
    # reminder is a session reminder: one switch each, whichever app sends it.
    Kind.CIRCLE_OPENED: "session_opened",
    Kind.MEETING_REMINDER: "session_reminders",
    Kind.CIRCLE_MENTION: "circle_mentions",
    Kind.CIRCLE_DIGEST: "circle_digests",
}


def is_optional(kind: str) -> bool:
    return kind in OPTIONAL_KINDS
