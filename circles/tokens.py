"""Signed links that work without signing in: RSVP from a reminder, a member's feed.

Django's signing (HMAC with SECRET_KEY, a salt per purpose), so a link cannot be forged or
altered; an RSVP link also carries the meeting's end and expires with it (and after
RSVP_MAX_AGE in any case). What a link may do is checked again when it is used.
"""

import datetime

from django.core import signing
from django.utils import timezone

RSVP_SALT = "circles.rsvp"
FEED_SALT = "circles.feed"
RSVP_MAX_AGE = datetime.timedelta(days=21)


class LinkInvalid(Exception):
    """Tampered with, or not one of ours."""


class LinkExpired(Exception):
    """Genuine but too old, or the meeting is over."""


def rsvp_token(*, meeting, user) -> str:
    return signing.dumps(
        {"m": meeting.pk, "u": user.pk, "e": int(meeting.ends_at.timestamp())}, salt=RSVP_SALT
    )


def rsvp_token_read(token: str) -> tuple[int, int]:
    """(meeting id, user id); raises LinkInvalid or LinkExpired."""
    try:
        data = signing.loads(token, salt=RSVP_SALT, max_age=RSVP_MAX_AGE)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    if timezone.now().timestamp() >= data["e"]:
        raise LinkExpired
    return data["m"], data["u"]


def feed_token(*, circle, user) -> str:
    return signing.dumps({"c": circle.pk, "u": user.pk}, salt=FEED_SALT)


def feed_token_read(token: str) -> tuple[int, int]:
    """(circle id, user id); raises LinkInvalid."""
    try:
        data = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature as error:
        raise LinkInvalid from error
    return data["c"], data["u"]
