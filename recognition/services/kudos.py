"""Peer kudos: a private thank-you, shared only if its recipient chooses; reportable."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from circles.models import Circle
from circles.selectors import circle_member_users, circle_membership
from people.models import User

from ..models import Kudos, KudosReport

KUDOS_SELF = "You cannot thank yourself."
KUDOS_NOT_IN_CIRCLE = "You can thank this circle's facilitators, and its members if you are one."
KUDOS_EMPTY = "Write a short message: what did they do that helped?"
KUDOS_TOO_LONG = "Keep it short: at most 280 characters."
KUDOS_LIMIT = "You have sent {limit} thank-yous in the last 24 hours. Please try again tomorrow."
KUDOS_NOT_YOURS = "Only the person thanked can share or hide their kudos."
REPORT_NOT_SEEN = "You can report only a message you were shown."
REPORT_NEEDS_REASON = "Say what is wrong with the message, so an admin can look at it."
RESOLVE_NEEDS_REASON = "Say why the message is hidden."

MESSAGE_MAX = 280
LIMIT_WINDOW = datetime.timedelta(hours=24)


def kudos_recipients(*, circle: Circle, sender: User):
    """Who the sender may thank in this circle: its facilitators (named on its page), and
    its members too when the sender is one, since only members know who else is in it."""
    if circle_membership(user=sender, circle=circle).is_member:
        people = circle_member_users(circle=circle)
    else:
        people = circle.facilitators.filter(is_active=True)
    return people.exclude(pk=sender.pk).order_by("first_name", "last_name", "pk")


@transaction.atomic
def kudos_give(
    *,
    sender: User,
    recipient: User,
    circle: Circle,
    value: str,
    message: str,
    now: datetime.datetime | None = None,
) -> Kudos:
    """Thank a circle member or facilitator. Private: only the recipient will read it.

    The sender's row is locked while the daily limit (settings.KUDOS_DAILY_LIMIT in 24 h)
    is counted, so parallel submits cannot pass it. Raises ValidationError: KUDOS_SELF,
    KUDOS_NOT_IN_CIRCLE, KUDOS_EMPTY, KUDOS_TOO_LONG, KUDOS_LIMIT.
    """
    now = now or timezone.now()
    message = " ".join(message.split())
    if recipient.pk == sender.pk:
        raise ValidationError(KUDOS_SELF)
    if not message:
        raise ValidationError(KUDOS_EMPTY)
    if len(message) > MESSAGE_MAX:
        raise ValidationError(KUDOS_TOO_LONG)
    if not kudos_recipients(circle=circle, sender=sender).filter(pk=recipient.pk).exists():
        raise ValidationError(KUDOS_NOT_IN_CIRCLE)
    User.objects.select_for_update().filter(pk=sender.pk).first()
    limit = settings.KUDOS_DAILY_LIMIT
    if Kudos.objects.filter(sender=sender, created_at__gt=now - LIMIT_WINDOW).count() >= limit:
        raise ValidationError(KUDOS_LIMIT.format(limit=limit))
    return Kudos.objects.create(
        sender=sender,
        recipient=recipient,
        circle=circle,
        value=Kudos.Value(value),
        message=message,
        created_at=now,
    )


@transaction.atomic
def kudos_share(*, kudos: Kudos, user: User, shared: bool) -> Kudos:
    """The recipient shares a kudos on the circle's page (with its members), or takes it back.

    Raises ValidationError: KUDOS_NOT_YOURS.
    """
    kudos = Kudos.objects.select_for_update().get(pk=kudos.pk)
    if kudos.recipient_id != user.pk:
        raise ValidationError(KUDOS_NOT_YOURS)
    kudos.shared_at = (kudos.shared_at or timezone.now()) if shared else None
    kudos.save(update_fields=["shared_at"])
    return kudos


def _has_seen(*, kudos: Kudos, user: User) -> bool:
    if kudos.recipient_id == user.pk:
        return True
    return (
        kudos.shared_at is not None
        and not kudos.is_hidden
        and circle_membership(user=user, circle=kudos.circle).is_member
    )


@transaction.atomic
def kudos_report(*, kudos: Kudos, reporter: User, reason: str) -> KudosReport:
    """Ask an admin to look at a message: its recipient, or a member it was shared with.

    One report per person and message (a second one updates the reason). Raises
    ValidationError: REPORT_NOT_SEEN, REPORT_NEEDS_REASON.
    """
    reason = reason.strip()
    kudos = Kudos.objects.select_related("circle").get(pk=kudos.pk)
    if not _has_seen(kudos=kudos, user=reporter):
        raise ValidationError(REPORT_NOT_SEEN)
    if not reason:
        raise ValidationError(REPORT_NEEDS_REASON)
    report, created = KudosReport.objects.get_or_create(
        kudos=kudos, reporter=reporter, defaults={"reason": reason[:500]}
    )
    if not created and report.outcome == KudosReport.Outcome.OPEN:
        report.reason = reason[:500]
        report.save(update_fields=["reason"])
    return report


@transaction.atomic
def kudos_report_resolve(
    *, report: KudosReport, actor: User, hide: bool, reason: str = ""
) -> KudosReport:
    """An admin's decision on a report: hide the message (with a reason) or let it stay.

    Every open report of the same message is closed with it. Raises ValidationError:
    RESOLVE_NEEDS_REASON (hiding without a reason).
    """
    kudos = Kudos.objects.select_for_update().get(pk=report.kudos_id)
    now = timezone.now()
    if hide:
        reason = reason.strip()
        if not reason:
            raise ValidationError(RESOLVE_NEEDS_REASON)
        kudos.hidden_at = kudos.hidden_at or now
        kudos.hidden_by = actor
        kudos.hidden_reason = reason[:300]
        kudos.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    outcome = KudosReport.Outcome.HIDDEN if hide else KudosReport.Outcome.DISMISSED
    KudosReport.objects.filter(kudos=kudos, outcome=KudosReport.Outcome.OPEN).update(
        outcome=outcome, resolved_at=now, resolved_by=actor
    )
    report.refresh_from_db()
    return report
