"""The circles' emails, each through `email_send_once` under a key naming what it is about:
- one "a circle opened" email per interest request;
- one series invite per person per membership (a re-join after leaving is a new one), and
  one CANCEL per departure of someone who had the invite;
- one change notice per person per revision (SEQUENCE) of the series;
- one reminder per person per meeting per start time (a moved meeting is due again);
- one mention email per person per post;
- one digest per person per circle per day or ISO week.
"""

from django.urls import reverse
from django.utils import timezone

from enrollment.calendar import invite_mimetype
from enrollment.models import TranscriptEvent
from notifications.kinds import Kind
from notifications.selectors import email_key_used
from notifications.services import absolute_url, email_send_once
from people.models import User

from .calendar import CANCEL, REQUEST, series_invite
from .models import Circle, Interest, Meeting, Post, Rsvp
from .tokens import rsvp_token

TEMPLATE_DIR = "circles/email"


def _circle_context(circle: Circle) -> dict:
    return {"circle": circle, "circle_url": absolute_url(circle.get_absolute_url())}


def _invite(circle: Circle, user: User, method: str) -> tuple[str, bytes, str]:
    return (
        "invite.ics",
        series_invite(circle=circle, user=user, method=method),
        invite_mimetype(method),
    )


def departures(*, circle: Circle, user: User) -> int:
    return TranscriptEvent.objects.filter(
        user=user,
        offering_id=circle.offering_id,
        kind__in=[TranscriptEvent.Kind.WITHDREW, TranscriptEvent.Kind.CANCELLED],
    ).count()


def _invite_key(circle: Circle, user: User, left: int) -> str:
    return f"circle-invite:{circle.offering_id}:{user.pk}:{left}"


def circle_opened_send(*, interest: Interest, circle: Circle) -> bool:
    return email_send_once(
        key=f"circle-opened:{interest.pk}",
        user=interest.user,
        template=f"{TEMPLATE_DIR}/circle_opened",
        context=_circle_context(circle),
        kind=Kind.CIRCLE_OPENED,
    )


def series_invite_send(*, circle: Circle, user: User) -> bool:
    left = departures(circle=circle, user=user)
    return email_send_once(
        key=_invite_key(circle, user, left),
        user=user,
        template=f"{TEMPLATE_DIR}/invite",
        context={**_circle_context(circle), "meetings": _meetings(circle)},
        attachments=[_invite(circle, user, REQUEST)],
        kind=Kind.MEETING_INVITES,
    )


def series_cancel_send(*, circle: Circle, user: User) -> bool:
    """Only for someone whose last membership got the invite: their calendar has it."""
    left = departures(circle=circle, user=user)
    if left == 0 or not email_key_used(key=_invite_key(circle, user, left - 1)):
        return False
    return email_send_once(
        key=f"circle-invite-cancel:{circle.offering_id}:{user.pk}:{left}",
        user=user,
        template=f"{TEMPLATE_DIR}/invite_cancel",
        context=_circle_context(circle),
        attachments=[_invite(circle, user, CANCEL)],
        kind=Kind.MEETING_INVITES,
    )


def meeting_changed_send(*, meeting: Meeting, user: User) -> bool:
    circle = meeting.circle
    return email_send_once(
        key=f"meeting-changed:{meeting.pk}:{user.pk}:{circle.offering.sequence}",
        user=user,
        template=f"{TEMPLATE_DIR}/meeting_changed",
        context={**_circle_context(circle), "meeting": meeting, "meetings": _meetings(circle)},
        attachments=[_invite(circle, user, REQUEST)],
        kind=Kind.MEETING_CHANGED,
    )


def meeting_reminder_send(*, meeting: Meeting, user: User) -> bool:
    circle = meeting.circle
    token = rsvp_token(meeting=meeting, user=user)
    rsvp_url = absolute_url(reverse("circles:rsvp", kwargs={"token": token}))
    return email_send_once(
        key=f"meeting-reminder:{meeting.pk}:{user.pk}:{meeting.starts_at.isoformat()}",
        user=user,
        template=f"{TEMPLATE_DIR}/meeting_reminder",
        context={
            **_circle_context(circle),
            "meeting": meeting,
            "week": circle.plan.filter(week=meeting.week).first(),
            "rsvp_yes_url": f"{rsvp_url}?answer={Rsvp.Answer.YES}",
            "rsvp_no_url": f"{rsvp_url}?answer={Rsvp.Answer.NO}",
        },
        kind=Kind.MEETING_REMINDER,
    )


def _meetings(circle: Circle) -> list[Meeting]:
    now = timezone.now()
    return [m for m in circle.meetings.order_by("starts_at") if m.ends_at > now]


def mention_send(*, post: Post, user: User) -> bool:
    thread = post.thread
    return email_send_once(
        key=f"circle-mention:{post.pk}:{user.pk}",
        user=user,
        template=f"{TEMPLATE_DIR}/mention",
        context={
            **_circle_context(thread.circle),
            "post": post,
            "thread": thread,
            "post_url": absolute_url(post.get_absolute_url()),
        },
        kind=Kind.CIRCLE_MENTION,
    )


def digest_send(*, circle: Circle, user: User, period: str, posts: list[Post]) -> bool:
    return email_send_once(
        key=f"circle-digest:{circle.pk}:{user.pk}:{period}",
        user=user,
        template=f"{TEMPLATE_DIR}/digest",
        context={
            **_circle_context(circle),
            "posts": posts,
            "discussion_url": absolute_url(reverse("circles:discussion", args=[circle.slug])),
        },
        kind=Kind.CIRCLE_DIGEST,
    )


def survey_invite_send(*, circle: Circle, user: User, facilitator: bool) -> bool:
    role = "facilitator" if facilitator else "learner"
    return email_send_once(
        key=f"circle-survey:{role}:{circle.pk}:{user.pk}",
        user=user,
        template=f"{TEMPLATE_DIR}/survey_{role}",
        context={
            **_circle_context(circle),
            "survey_url": absolute_url(reverse("circles:survey", args=[circle.slug])),
        },
        kind=Kind.CIRCLE_SURVEY,
    )


def checkin_send(*, survey) -> bool:
    circle = survey.circle
    return email_send_once(
        key=f"circle-checkin:{survey.pk}",
        user=survey.user,
        template=f"{TEMPLATE_DIR}/checkin",
        context={**_circle_context(circle), "survey": survey},
        kind=Kind.CIRCLE_CHECKIN,
    )
