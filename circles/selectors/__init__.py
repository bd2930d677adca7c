"""Reads of circles with the rules that decide who sees what.

Who may see a circle is its catalog entry's audience (`catalog.visibility`), never a rule of
our own; drafts are seen by their facilitators and learning admins only. Membership, which
opens the discussion and the meeting details, is a seat in the circle's session (an
enrollment) or being one of its facilitators.

Split by job: `discovery` (what one may see and join), `membership` (who is in),
`weeks` (meetings and discussion), `archive` (insights, attendance, survey results).
"""

from .archive import (
    GOAL_MET_AT_LEAST,
    ArchiveWeek,
    SurveyResults,
    archive_list_visible_to,
    attendance_for,
    circle_archive_weeks,
    survey_results,
)
from .discovery import (
    ARCHIVE_STATES,
    LISTED_STATES,
    CircleStart,
    circle_for_item,
    circle_get_visible_to,
    circle_list_joinable_on,
    circle_list_visible_to,
    circle_starts_by_item,
    circle_visible_q,
    is_learning_admin,
)
from .membership import (
    Membership,
    RosterEntry,
    circle_member_users,
    circle_membership,
    circle_roster,
    circle_seats_taken,
    interest_pending,
)
from .weeks import (
    meeting_list_for_manage,
    meetings_upcoming,
    post_list_quotable,
    thread_list_for,
    thread_posts,
)

__all__ = [
    "ARCHIVE_STATES",
    "ArchiveWeek",
    "CircleStart",
    "GOAL_MET_AT_LEAST",
    "LISTED_STATES",
    "Membership",
    "RosterEntry",
    "SurveyResults",
    "archive_list_visible_to",
    "attendance_for",
    "circle_archive_weeks",
    "circle_for_item",
    "circle_get_visible_to",
    "circle_list_joinable_on",
    "circle_list_visible_to",
    "circle_member_users",
    "circle_membership",
    "circle_roster",
    "circle_seats_taken",
    "circle_starts_by_item",
    "circle_visible_q",
    "interest_pending",
    "is_learning_admin",
    "meeting_list_for_manage",
    "meetings_upcoming",
    "post_list_quotable",
    "survey_results",
    "thread_list_for",
    "thread_posts",
]
