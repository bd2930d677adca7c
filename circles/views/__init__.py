"""Circle pages, split by job; `circles.urls` uses them from here."""

from .archive import (
    archive_list,
    circle_insights,
    circle_insights_markdown,
    circle_insights_print,
    survey,
)
from .circle import (
    circle_approve,
    circle_archive,
    circle_call,
    circle_detail,
    circle_interest,
    circle_join,
    circle_leave,
    circle_list,
    circle_manage,
    circle_start,
    circle_submit,
)
from .discussion import discussion, my_posts, post_delete, post_edit, post_hide, thread_detail
from .meetings import circle_calendar, meeting_cancel, meeting_edit, meeting_wrapup, rsvp

__all__ = [
    "archive_list",
    "circle_insights",
    "circle_insights_markdown",
    "circle_insights_print",
    "survey",
    "circle_approve",
    "circle_archive",
    "circle_call",
    "circle_detail",
    "circle_interest",
    "circle_join",
    "circle_leave",
    "circle_list",
    "circle_manage",
    "circle_start",
    "circle_submit",
    "discussion",
    "my_posts",
    "post_delete",
    "post_edit",
    "post_hide",
    "thread_detail",
    "circle_calendar",
    "meeting_cancel",
    "meeting_edit",
    "meeting_wrapup",
    "rsvp",
]
