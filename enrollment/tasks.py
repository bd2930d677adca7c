"""Enrollment emails as Celery tasks.

The enrollment services schedule these on commit. Each takes ids, loads fresh rows and
skips quietly when the row is gone or no longer in the state the email is about (a
confirmation for an enrollment withdrawn before the task ran sends nothing). Celery
delivers at least once, so each email is keyed (see enrollment.emails) and a task that
runs twice sends one email. Sending errors (SMTP, network) are retried with backoff.
"""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from catalog.models import Offering
from catalog.sessions import sessions_ahead
from notifications.services import EMAIL_TASK_RETRY

# The services queue these tasks and the tasks call the services: each module uses the other
# only when a function runs, so either may be imported first.
from . import emails, services
from .models import Enrollment, SessionInterest

logger = logging.getLogger(__name__)

# How long before a session its reminder is due. Beat runs every 15 minutes, so the
# reminder goes between 24 h and 23 h 45 min ahead.
REMINDER_LEAD = datetime.timedelta(hours=24)


def _enrollment(enrollment_id: int, status: str) -> Enrollment | None:
    enrollment = (
        Enrollment.objects.select_related("user", "item", "offering", "offering__item")
        .filter(pk=enrollment_id)
        .first()
    )
    if enrollment is None:
        logger.info("Enrollment %s is gone; no email.", enrollment_id)
        return None
    if enrollment.status != status:
        logger.info(
            "Enrollment %s is %s, not %s; no email.", enrollment_id, enrollment.status, status
        )
        return None
    return enrollment


def _offering(offering_id: int, status: str) -> Offering | None:
    offering = Offering.objects.select_related("item").filter(pk=offering_id).first()
    if offering is None or offering.status != status:
        logger.info("Offering %s is gone or not %s; no email.", offering_id, status)
        return None
    return offering


def _email_each(offering: Offering, status: str, send) -> int:
    """`send` each enrollment of the offering in `status`; returns how many emails went out."""
    enrollments = Enrollment.objects.filter(offering=offering, status=status).select_related("user")
    sent = 0
    for enrollment in enrollments.iterator():
        # The offering is already loaded; this spares a query per person.
        enrollment.offering = offering
        sent += send(offering=offering, enrollment=enrollment)
    return sent


@shared_task(**EMAIL_TASK_RETRY)
def send_enrollment_confirmation(enrollment_id: int) -> bool:
    """A seat (or a self-paced enrollment): confirmation, with an invite for a session."""
    enrollment = _enrollment(enrollment_id, Enrollment.Status.ENROLLED)
    if enrollment is None:
        return False
    return emails.enrollment_confirmation_send(enrollment=enrollment)


@shared_task(**EMAIL_TASK_RETRY)
def send_waitlist_confirmation(enrollment_id: int) -> bool:
    """On the waitlist: the position in line, and no invite (there is no seat yet)."""
    enrollment = _enrollment(enrollment_id, Enrollment.Status.WAITLISTED)
    if enrollment is None:
        return False
    return emails.waitlist_confirmation_send(enrollment=enrollment)


@shared_task(**EMAIL_TASK_RETRY)
def send_promotion_notice(enrollment_id: int) -> bool:
    """Promoted from the waitlist: the seat is theirs, with the invite."""
    enrollment = _enrollment(enrollment_id, Enrollment.Status.ENROLLED)
    if enrollment is None:
        return False
    return emails.promotion_notice_send(enrollment=enrollment)


@shared_task(**EMAIL_TASK_RETRY)
def send_withdrawal_notice(enrollment_id: int) -> bool:
    """Withdrawn: confirmation, and a CANCEL that removes the session from their calendar."""
    enrollment = _enrollment(enrollment_id, Enrollment.Status.WITHDRAWN)
    if enrollment is None:
        return False
    return emails.withdrawal_notice_send(enrollment=enrollment)


@shared_task(**EMAIL_TASK_RETRY)
def send_offering_changed(offering_id: int) -> int:
    """The time or place changed: everyone with a seat gets the updated invite.

    Returns how many emails went out. Each is keyed by the offering's SEQUENCE, so a second
    change sends again, and a retry after a failure sends only to those still missing.
    """
    offering = _offering(offering_id, Offering.Status.SCHEDULED)
    if offering is None or offering.meeting_series:
        # A series' meetings send their own change notices (see enrollment.emails).
        return 0
    return _email_each(offering, Enrollment.Status.ENROLLED, emails.offering_changed_send)


@shared_task(**EMAIL_TASK_RETRY)
def send_offering_cancelled(offering_id: int) -> int:
    """The session was cancelled: everyone who was on it (seat or waitlist) is told.

    Their enrollments are already cancelled by the service; those who held a seat also get
    a CANCEL for their calendar. Returns how many emails went out.
    """
    offering = _offering(offering_id, Offering.Status.CANCELLED)
    if offering is None:
        return 0
    return _email_each(offering, Enrollment.Status.CANCELLED, emails.offering_cancelled_send)


@shared_task(**EMAIL_TASK_RETRY)
def send_session_reminders() -> int:
    """Periodic: remind everyone with a seat in a session starting within REMINDER_LEAD.

    Exactly once per (enrollment, start time): a session moved to a new time is due again.
    Returns how many reminders went out.
    """
    now = timezone.now()
    due = (
        Enrollment.objects.filter(
            status=Enrollment.Status.ENROLLED,
            offering__in=sessions_ahead(now).filter(starts_at__lte=now + REMINDER_LEAD),
            offering__meeting_series=False,
            user__is_active=True,
        )
        .select_related("user", "offering", "offering__item")
        .order_by("offering__starts_at", "pk")
    )
    sent = 0
    for enrollment in due.iterator():
        sent += emails.session_reminder_send(enrollment=enrollment)
    return sent


@shared_task(**EMAIL_TASK_RETRY)
def notify_session_opened(offering_id: int) -> int:
    """A new session of an item opened: tell each person who asked, once (see the service)."""
    offering = _offering(offering_id, Offering.Status.SCHEDULED)
    if offering is None or offering.has_started():
        return 0
    return services.session_interest_notify_opened(offering=offering)


@shared_task(**EMAIL_TASK_RETRY)
def send_session_opened(interest_id: int, offering_id: int) -> bool:
    """One person's "a session opened" email, queued with their request marked fulfilled."""
    interest = SessionInterest.objects.select_related("user").filter(pk=interest_id).first()
    offering = _offering(offering_id, Offering.Status.SCHEDULED)
    if interest is None or offering is None:
        return False
    return emails.session_opened_send(interest=interest, offering=offering)


@shared_task(ignore_result=True)
def refresh_item_popularity() -> int:
    """Beat: recompute Item.popularity (enrollments of the last 90 days). Idempotent."""
    return services.item_popularity_refresh()
