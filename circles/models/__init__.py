"""Learning circles' models, split by job: the circle and who is in it, the meetings, the
discussion, the surveys. Each is importable from `circles.models`."""

from .circle import (
    VIDEO_HOSTS,
    VIDEO_URL_INVALID,
    Circle,
    Interest,
    PlanWeek,
    Signup,
    validate_video_url,
)
from .discussion import DigestSetting, Post, Quote, Thread, visible_posts_q
from .meetings import REFLECTION_QUESTIONS, Attendance, Meeting, Rsvp, Wrapup
from .surveys import FacilitatorSurvey, LearnerSurvey

__all__ = [
    "REFLECTION_QUESTIONS",
    "VIDEO_HOSTS",
    "VIDEO_URL_INVALID",
    "Attendance",
    "Circle",
    "DigestSetting",
    "FacilitatorSurvey",
    "Interest",
    "LearnerSurvey",
    "Meeting",
    "PlanWeek",
    "Post",
    "Quote",
    "Rsvp",
    "Signup",
    "Thread",
    "Wrapup",
    "validate_video_url",
    "visible_posts_q",
]
