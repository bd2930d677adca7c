import re
from collections.abc import Sequence
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from people.models import User

from .kinds import OPTIONAL_KINDS, is_optional
from .models import EmailPreference, SentEmail
from .selectors import email_allowed

Attachment = tuple[str, bytes | str, str]

# Celery options for a task that sends through `email_send_once`: SMTP and network errors
# (OSError) are retried with backoff, and the keyed send makes a retry send only what is
# still missing.
EMAIL_TASK_RETRY = {
    "autoretry_for": (OSError,),
    "retry_backoff": 30,
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


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


@transaction.atomic
def email_send_once(
    *,
    key: str,
    user: User,
    template: str,
    context: dict,
    attachments: Sequence[Attachment] = (),
    kind: str,
) -> bool:
    """Send one email to `user` unless an email with this `key` has already gone out.

    `template` is a prefix: `<template>_subject.txt`, `<template>.txt` and `<template>.html`
    are rendered with `context` plus `user`, `portal_name`, `portal_url`, `preferences_url`
    and `is_optional`. `attachments` are (filename, content, mimetype) tuples; the mimetype
    may carry parameters (`text/calendar; method=REQUEST; charset=utf-8`).

    Returns True when the email was sent, False when it was not: the key was already used,
    the account is deactivated or has no address, or the person switched this optional
    `kind` off. The key is recorded in the same transaction as the send, so if sending
    raises, nothing is recorded and a retry sends; a concurrent duplicate waits on the
    unique key and then returns False. Call it from a task, outside any other transaction:
    inside one, a rollback after the send would forget an email that went out.
    """
    if not email_allowed(user=user, kind=kind):
        return False
    _, created = SentEmail.objects.get_or_create(key=key, defaults={"user": user, "kind": kind})
    if not created:
        return False
    full_context = {
        "user": user,
        "portal_name": settings.PORTAL_NAME,
        "portal_url": absolute_url("/"),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "is_optional": is_optional(kind),
        **context,
    }
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
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        if mimetype.startswith("text/") and ";" in mimetype:
            message.attach(_text_attachment(filename, content, mimetype))
        else:
            message.attach(filename, content, mimetype)
    message.send()
    return True


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
