import base64
import datetime
import logging
import re
from collections.abc import Sequence
from email.mime.text import MIMEText

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from learning_portal.core.circuit import breaker
from learning_portal.core.timezones import reader_zone
from people.models import User

from .kinds import OPTIONAL_KINDS, is_optional
from .models import EmailPreference, OutboxMessage, SentEmail
from .selectors import UNKNOWN_AFTER, email_allowed

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes | str, str]

# Celery options for a task that sends through `email_send_once`: SMTP and network errors
# (OSError) are retried with backoff, and the keyed send makes a retry send only what is
# still missing. The longest wait stays under the broker's visibility timeout (settings:
# a worker holds a retry's message unacknowledged until it is due).
EMAIL_RETRY_BACKOFF_MAX = 4 * 60
EMAIL_TASK_RETRY = {
    # A task stopped by its soft time limit (a long batch) goes on where it stopped.
    "autoretry_for": (OSError, SoftTimeLimitExceeded),
    "retry_backoff": 30,
    "retry_backoff_max": EMAIL_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 10,
}

RESEND_NOT_UNKNOWN = "Only an email whose fate is unknown can be resent; this one is {state}."
RESEND_NO_MESSAGE = "This email was claimed before it was rendered; it cannot be resent."

# The breaker in front of the Celery broker for publishing from web requests.
BROKER_BREAKER = "Celery broker"
# What publishing raises when the broker does not answer.
BROKER_UNAVAILABLE = (KombuOperationalError, RedisError, OSError)
# Rows per transaction of `outbox_dispatch`.
DISPATCH_BATCH = 500


def absolute_url(path: str) -> str:
    """A link that works from an email client: the portal's base URL plus the path."""
    return f"{settings.PORTAL_BASE_URL}{path}"


def _text_attachment(filename: str, content: bytes | str, mimetype: str) -> MIMEText:
    # Django's attach() would fold parameters such as `method=REQUEST` into the subtype and
    # add a second charset; calendar clients need the exact header
    # `text/calendar; method=REQUEST; charset=utf-8`, so the part is built here.
    main, *params = (param.strip() for param in mimetype.split(";"))
    subtype = main.split("/", 1)[1]
    parsed = dict(param.split("=", 1) for param in params if "=" in param)
    charset = parsed.pop("charset", "utf-8")
    text = content.decode(charset) if isinstance(content, bytes) else content
    part = MIMEText(text, subtype, charset)
    header = "".join(f"; {name}={value}" for name, value in parsed.items())
    part.replace_header("Content-Type", f"{main}{header}; charset={charset}")
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _render(template: str, context: dict) -> tuple[str, str, str]:
    subject = render_to_string(f"{template}_subject.txt", context)
    # A subject is one line whatever the template's whitespace.
    subject = re.sub(r"\s+", " ", subject).strip()
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    return subject, text, html


def _build_message(message: dict) -> EmailMultiAlternatives:
    """The email from its stored form (see `_message_payload`)."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["text"],
        from_email=message["from"],
        to=message["to"],
        headers=message["headers"],
    )
    email.attach_alternative(message["html"], "text/html")
    for filename, content, mimetype in message["attachments"]:
        content = base64.b64decode(content)
        if mimetype.startswith("text/") and ";" in mimetype:
            email.attach(_text_attachment(filename, content, mimetype))
        else:
            email.attach(filename, content, mimetype)
    return email


def _message_payload(
    *, user: User, template: str, context: dict, attachments: Sequence[Attachment], kind: str
) -> dict:
    """The rendered email as JSON-safe data, so that it can be kept until it has gone out."""
    full_context = {
        "user": user,
        "portal_name": settings.PORTAL_NAME,
        "portal_url": absolute_url("/"),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "is_optional": is_optional(kind),
        **context,
    }
    # Times read in the recipient's zone, as on the pages they open (templates note a
    # session's own zone when it differs: learning_portal.core.timezones.span_for_viewer).
    with timezone.override(reader_zone(user.time_zone)):
        subject, text, html = _render(template, full_context)
    headers = {
        # Machine-sent (RFC 3834): out-of-office replies from thousands of mailboxes must
        # not come back to the portal's address; the second header is Exchange's version.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    if full_context["is_optional"]:
        # Mail clients show an "Unsubscribe" button that opens the preferences page.
        headers["List-Unsubscribe"] = f"<{full_context['preferences_url']}>"
    return {
        "subject": subject,
        "text": text,
        "html": html,
        "from": settings.DEFAULT_FROM_EMAIL,
        "to": [user.email],
        "headers": headers,
        "attachments": [
            (
                filename,
                base64.b64encode(
                    content.encode("utf-8") if isinstance(content, str) else content
                ).decode("ascii"),
                mimetype,
            )
            for filename, content, mimetype in attachments
        ],
    }


def _claim(*, key: str, user: User, kind: str) -> SentEmail | None:
    """Claim the key (committed before anything is sent), or None when it is taken."""
    with transaction.atomic():
        # A concurrent claim of the same key waits on the unique index, then finds it.
        claim, created = SentEmail.objects.get_or_create(
            key=key,
            defaults={"user": user, "kind": kind, "status": SentEmail.Status.SENDING},
        )
    return claim if created else None


def email_send_once(
    *,
    key: str,
    user: User,
    template: str,
    context: dict,
    attachments: Sequence[Attachment] = (),
    kind: str,
) -> bool:
    """Send one email to `user` unless an email with this `key` was sent or is being sent.

    `template` is a prefix: `<template>_subject.txt`, `<template>.txt` and `<template>.html`
    are rendered with `context` plus `user`, `portal_name`, `portal_url`, `preferences_url`
    and `is_optional`. `attachments` are (filename, content, mimetype) tuples; the mimetype
    may carry parameters (`text/calendar; method=REQUEST; charset=utf-8`).

    Returns True when the email was sent, False when it was not: the key was already
    claimed (sent, or its fate unknown after a crash: see SentEmail), the account is
    deactivated or has no address, or the person switched this optional `kind` off.
    The claim is committed before the send and the row marked sent after it. If sending
    raises, the claim is removed and the error raised, so a retry sends. Call it from a
    task, outside any transaction: inside one, the claim would commit only with it.
    """
    if not email_allowed(user=user, kind=kind):
        return False
    claim = _claim(key=key, user=user, kind=kind)
    if claim is None:
        return False
    try:
        payload = _message_payload(
            user=user, template=template, context=context, attachments=attachments, kind=kind
        )
        # Kept until the send is confirmed, for a resend if this process dies in between.
        SentEmail.objects.filter(pk=claim.pk).update(message=payload)
        _build_message(payload).send()
    except BaseException:
        # Nothing went out (or the server refused it): release the key for the retry.
        SentEmail.objects.filter(pk=claim.pk, status=SentEmail.Status.SENDING).delete()
        raise
    SentEmail.objects.filter(pk=claim.pk).update(
        status=SentEmail.Status.SENT, sent_at=timezone.now(), message=None
    )
    return True


@transaction.atomic
def email_resend(
    *, sent_email: SentEmail, actor: User | None, now: datetime.datetime | None = None
) -> SentEmail:
    """Send again an email whose fate is unknown (claimed, never confirmed sent).

    For the admin's one-click resend. The row is locked, so two clicks send once. Raises
    ValidationError (RESEND_NOT_UNKNOWN) for an email that was sent or whose claim is
    younger than UNKNOWN_AFTER (a worker may still be sending it), and RESEND_NO_MESSAGE
    when the process died before the message was rendered. A sending error is raised and
    leaves the row as it was.
    """
    now = now or timezone.now()
    locked = SentEmail.objects.select_for_update().get(pk=sent_email.pk)
    if locked.status != SentEmail.Status.SENDING or locked.claimed_at > now - UNKNOWN_AFTER:
        state = "sent" if locked.status == SentEmail.Status.SENT else "still being sent"
        raise ValidationError(RESEND_NOT_UNKNOWN.format(state=state))
    if not locked.message:
        raise ValidationError(RESEND_NO_MESSAGE)
    _build_message(locked.message).send()
    locked.status = SentEmail.Status.SENT
    locked.sent_at = now
    locked.message = None
    locked.resent_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.save(update_fields=["status", "sent_at", "message", "resent_by"])
    logger.info("Email %s resent by %s", locked.key, locked.resent_by)
    return locked


def outbox_schedule(*, task: Task | str, args: Sequence = ()) -> OutboxMessage:
    """Record a task in the outbox, in the caller's transaction, and publish it on commit.

    Call it inside the transaction of the write that needs the task (it raises
    TransactionManagementError otherwise, since a task recorded outside it could be lost
    or run for a write that rolled back). After the commit the row is published at once
    when the broker answers, or else by the beat task `dispatch_outbox` when it is back.
    `args` must be JSON-serializable (ids, not objects).
    """
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError(
            "outbox_schedule must be called inside the write's transaction."
        )
    message = OutboxMessage.objects.create(
        task=task if isinstance(task, str) else task.name, args=list(args)
    )
    transaction.on_commit(lambda: _publish_committed(message))
    return message


def _publish_committed(message: OutboxMessage) -> None:
    """Right after the write's commit: publish its row, then mark it dispatched.

    One statement rather than `outbox_dispatch`'s locking transaction (five), since every
    enroll POST in a rush pays it: no other dispatcher takes a row this young (the sweeper
    leaves rows to their request for notifications.tasks.SETTLE), and if one ever raced it,
    an idempotent task would run once more, never an email twice (they are keyed). A broker
    that does not answer leaves the row, with the error, to the sweeper.
    """
    broker = breaker(BROKER_BREAKER)
    if not broker.allow():
        return
    try:
        _publish(message)
    except BROKER_UNAVAILABLE as exc:
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        broker.failure(exc)
        return
    OutboxMessage.objects.filter(pk=message.pk, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    broker.success()


def _publish(message: OutboxMessage) -> None:
    from learning_portal.celery import app

    task = app.tasks[message.task]
    if app.conf.task_always_eager:
        # Eager mode (no broker) runs the task in this process. Run it as a worker would:
        # after the dispatch transaction and its row lock are done, never nested inside it
        # (a task's own outermost `atomic(durable=True)` would refuse to start).
        args = list(message.args)
        transaction.on_commit(lambda: task.apply_async(args=args))
        return
    # No publish retries: a broker that does not answer leaves the row to the sweeper.
    task.apply_async(args=message.args, retry=False)


def _commit_without_waiting_for_disk() -> None:
    # Marking rows dispatched need not wait for the WAL flush: if PostgreSQL crashed before
    # it, the rows would be undispatched again and the next sweep would publish them once
    # more, which the tasks tolerate (each is idempotent, emails are keyed). A sweep during
    # a rush would otherwise flush beside each enrollment's commit, which holds its
    # session's lock until flushed.
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def outbox_dispatch(
    *,
    message_ids: Sequence[int] | None = None,
    settled_before: datetime.datetime | None = None,
) -> int:
    """Publish undispatched outbox rows: these ids, or all created before `settled_before`.

    Each row is locked (rows another dispatcher holds are skipped), published and marked
    dispatched in one transaction, so concurrent dispatchers never publish a row twice.
    When the broker does not answer, the rows stay for the next sweep (with the error and
    the attempt counted) and the broker's breaker opens, so requests stop waiting on it.
    Returns how many rows were published. In eager mode (no broker) the tasks run in this
    process right after this transaction commits, and their errors are raised.
    """
    broker = breaker(BROKER_BREAKER)
    if not broker.allow():
        return 0
    published: list[int] = []
    failure: tuple[OutboxMessage, Exception] | None = None
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            dispatched_at__isnull=True
        )
        if message_ids is not None:
            pending = pending.filter(pk__in=message_ids)
        if settled_before is not None:
            pending = pending.filter(created_at__lt=settled_before)
        for message in pending.order_by("created_at", "pk")[:DISPATCH_BATCH]:
            try:
                _publish(message)
            except BROKER_UNAVAILABLE as exc:
                failure = (message, exc)
                break
            published.append(message.pk)
        now = timezone.now()
        if published:
            OutboxMessage.objects.filter(pk__in=published).update(dispatched_at=now)
        if failure is not None:
            message, exc = failure
            OutboxMessage.objects.filter(pk=message.pk).update(
                attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
            )
    if failure is not None:
        broker.failure(failure[1])
    else:
        broker.success()
    return len(published)


@transaction.atomic
def email_preference_update(*, user: User, **switches: bool) -> EmailPreference:
    """Save the person's optional-email switches (only the known ones are accepted).

    Raises TypeError for an unknown switch name: the form decides what reaches here.
    """
    unknown = set(switches) - set(OPTIONAL_KINDS.values())
    if unknown:
        raise TypeError(f"Unknown email preferences: {', '.join(sorted(unknown))}")
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
    for name, value in switches.items():
        setattr(preference, name, bool(value))
    preference.save()
    return preference


def outbox_prune(*, dispatched_before: datetime.datetime) -> int:
    """Delete outbox rows published before the given time; returns how many."""
    deleted, _ = OutboxMessage.objects.filter(dispatched_at__lt=dispatched_before).delete()
    return deleted
