"""The enrollment emails: who gets which message, with which invite, under which key.

Every email goes through `notifications.services.email_send_once`, whose key makes a task
that Celery delivers twice send one email. The keys name what the email is about:
- one confirmation / waitlist / promotion / withdrawal email per enrollment,
- one "changed" email per person per revision (SEQUENCE) of a session,
- one "cancelled" email per person per session,
- one reminder per enrollment per start time (a session moved gets a new reminder),
- one "a session opened" email per interest.

A learning circle's session (`Offering.meeting_series`) spans its weekly meetings, which
carry their own invites, reminders and change notices: its emails attach no invite for the
span, and it gets no session reminder or "session changed" email here.
"""

from catalog.models import Item, Offering
from learning_portal.core.timezones import reader_zone, span_for_viewer
from notifications.kinds import Kind
from notifications.services import absolute_url, email_send_once
from people.models import User

from .calendar import CANCEL, REQUEST, invite_mimetype, offering_invite
from .models import Enrollment, SessionInterest
from .selectors import waitlist_position

TEMPLATE_DIR = "enrollment/email"


def session_when(offering: Offering, *, reader: User) -> str:
    """'Tuesday 3 March 2026, 09:00–12:00 London time' in the reader's zone (their profile's,
    else the organisation's), with the session's own noted when its clock reads otherwise
    ('… 14:00–17:00 London time (09:00–12:00 New York time)'), as the pages show it; a span
    over several days says how many."""
    return str(
        span_for_viewer(
            offering.starts_at,
            offering.ends_at,
            offering.timezone,
            reader_zone(reader.time_zone),
            long=True,
            series=offering.meeting_series,
        )
    )


def _item_context(item: Item) -> dict:
    return {"item": item, "item_url": absolute_url(item.get_absolute_url())}


def _offering_context(offering: Offering, reader: User) -> dict:
    return {
        **_item_context(offering.item),
        "offering": offering,
        "when": session_when(offering, reader=reader),
    }


def _invites(offering: Offering, user: User, method: str) -> list[tuple[str, bytes, str]]:
    if offering.meeting_series:
        return []
    return [
        (
            "invite.ics",
            offering_invite(offering=offering, user=user, method=method),
            invite_mimetype(method),
        )
    ]


def _enrollment_email(
    enrollment: Enrollment,
    *,
    key: str,
    template: str,
    kind: str,
    method: str | None = None,
    **extra,
) -> bool:
    """One email about this enrollment; `method` attaches an invite for a session."""
    user = enrollment.user
    offering = enrollment.offering
    context = {"enrollment": enrollment, **extra}
    attachments = []
    if offering is not None:
        context.update(_offering_context(offering, user))
        if method:
            attachments.extend(_invites(offering, user, method))
    else:
        context.update(_item_context(enrollment.item))
    return email_send_once(
        key=key,
        user=user,
        template=f"{TEMPLATE_DIR}/{template}",
        context=context,
        attachments=attachments,
        kind=kind,
    )


def enrollment_confirmation_send(*, enrollment: Enrollment) -> bool:
    return _enrollment_email(
        enrollment,
        key=f"enrollment-confirmation:{enrollment.pk}",
        template="confirmation",
        kind=Kind.ENROLLMENT_CONFIRMATION,
        method=REQUEST,
    )


def waitlist_confirmation_send(*, enrollment: Enrollment) -> bool:
    # No invite: there is no seat yet.
    return _enrollment_email(
        enrollment,
        key=f"waitlist-confirmation:{enrollment.pk}",
        template="waitlist",
        kind=Kind.WAITLIST_CONFIRMATION,
        position=waitlist_position(enrollment=enrollment),
    )


def promotion_notice_send(*, enrollment: Enrollment) -> bool:
    return _enrollment_email(
        enrollment,
        key=f"promotion:{enrollment.pk}",
        template="promotion",
        kind=Kind.PROMOTION,
        method=REQUEST,
    )


def withdrawal_notice_send(*, enrollment: Enrollment) -> bool:
    return _enrollment_email(
        enrollment,
        key=f"withdrawal:{enrollment.pk}",
        template="withdrawal",
        kind=Kind.WITHDRAWAL,
        method=CANCEL,
    )


def offering_changed_send(*, offering: Offering, enrollment: Enrollment) -> bool:
    user = enrollment.user
    return email_send_once(
        key=f"offering-changed:{offering.pk}:{user.pk}:{offering.sequence}",
        user=user,
        template=f"{TEMPLATE_DIR}/session_changed",
        context={"enrollment": enrollment, **_offering_context(offering, user)},
        attachments=_invites(offering, user, REQUEST),
        kind=Kind.SESSION_CHANGED,
    )


def offering_cancelled_send(*, offering: Offering, enrollment: Enrollment) -> bool:
    user = enrollment.user
    # Only those who held a seat have the event in their calendar to remove.
    had_seat = enrollment.enrolled_at is not None
    return email_send_once(
        key=f"offering-cancelled:{offering.pk}:{user.pk}",
        user=user,
        template=f"{TEMPLATE_DIR}/session_cancelled",
        context={
            "enrollment": enrollment,
            "had_seat": had_seat,
            **_offering_context(offering, user),
        },
        attachments=_invites(offering, user, CANCEL) if had_seat else [],
        kind=Kind.SESSION_CANCELLED,
    )


def session_reminder_send(*, enrollment: Enrollment) -> bool:
    return _enrollment_email(
        enrollment,
        key=f"session-reminder:{enrollment.pk}:{enrollment.offering.starts_at.isoformat()}",
        template="session_reminder",
        kind=Kind.SESSION_REMINDER,
    )


def session_opened_send(*, interest: SessionInterest, offering: Offering) -> bool:
    return email_send_once(
        key=f"session-opened:{interest.pk}",
        user=interest.user,
        template=f"{TEMPLATE_DIR}/session_opened",
        context={"interest": interest, **_offering_context(offering, interest.user)},
        kind=Kind.SESSION_OPENED,
    )
