"""Short-lived embed tokens for cross-site intranets, where third-party cookies are blocked.

The intranet's server mints `<placement key>.<signed payload>` with the placement's secret
through `django.core.signing`; the payload carries the employee ID and an expiry. The portal
verifies it and never trusts the employee ID without a valid signature.

A token is exchanged once, on the widget's first load, for a *widget session*: a value the
portal signs with its own key, for the widget's endpoints only, bound to the placement (and
to its current secret) and living WIDGET_SESSION_SECONDS. The frame keeps it in a
partitioned cookie and in its forms' bodies, so the intranet's token never travels in a URL
after that first request (or at all, with embed.js, which POSTs it).
"""

import hashlib
import time
from dataclasses import dataclass

from django.core import signing

SALT = "learning_portal.widgets.embed-token"
# A token only has to reach the widget's first load; mint one per page view.
MAX_TTL_SECONDS = 15 * 60
DEFAULT_TTL_SECONDS = 5 * 60
WIDGET_SESSION_SALT = "learning_portal.widgets.widget-session"
WIDGET_SESSION_SECONDS = 15 * 60


class TokenRejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EmbedIdentity:
    placement_key: str
    employee_id: str
    expires_at: int


def _signer(secret: str) -> signing.TimestampSigner:
    # fallback_keys is explicit so the recipe also works outside a configured Django project.
    return signing.TimestampSigner(key=secret, salt=SALT, fallback_keys=[])


def token_mint(*, placement_key: str, secret: str, employee_id: str, ttl: int, now=None) -> str:
    if not 0 < ttl <= MAX_TTL_SECONDS:
        raise ValueError(f"ttl must be between 1 and {MAX_TTL_SECONDS} seconds")
    expires = int((now if now is not None else time.time()) + ttl)
    payload = _signer(secret).sign_object({"e": employee_id, "x": expires}, compress=True)
    return f"{placement_key}.{payload}"


def token_placement_key(token: str) -> str:
    key, sep, _ = token.partition(".")
    if not sep or not key:
        raise TokenRejected("malformed")
    return key


def token_verify(*, token: str, secret: str, now=None) -> EmbedIdentity:
    """The identity in a token, or TokenRejected with the reason ('tampered', 'expired', …)."""
    key, sep, payload = token.partition(".")
    if not sep:
        raise TokenRejected("malformed")
    try:
        data = _signer(secret).unsign_object(payload)
    except signing.BadSignature as exc:
        raise TokenRejected("tampered") from exc
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        raise TokenRejected("malformed")
    expires = data.get("x")
    current = now if now is not None else time.time()
    if not isinstance(expires, int) or expires <= current:
        raise TokenRejected("expired")
    if expires - current > MAX_TTL_SECONDS:
        # A token minted with a longer life than we accept, e.g. by a misconfigured server.
        raise TokenRejected("ttl_too_long")
    return EmbedIdentity(placement_key=key, employee_id=data["e"], expires_at=expires)


@dataclass(frozen=True)
class WidgetSession:
    placement_key: str
    employee_id: str
    secret_fingerprint: str


def secret_fingerprint(secret: str) -> str:
    """Ties a widget session to the placement's secret: rotating the secret ends it."""
    return hashlib.sha256(f"{SALT}:{secret}".encode()).hexdigest()[:16]


def widget_session_mint(*, placement_key: str, secret: str, employee_id: str) -> str:
    return signing.dumps(
        {"p": placement_key, "e": employee_id, "h": secret_fingerprint(secret)},
        salt=WIDGET_SESSION_SALT,
        compress=True,
    )


def widget_session_verify(value: str) -> WidgetSession:
    """The widget session in a value, or TokenRejected ('session_expired', …).

    Signed with the portal's SECRET_KEY; the caller checks the placement and its secret.
    """
    try:
        data = signing.loads(value, salt=WIDGET_SESSION_SALT, max_age=WIDGET_SESSION_SECONDS)
    except signing.SignatureExpired as exc:
        raise TokenRejected("session_expired") from exc
    except signing.BadSignature as exc:
        raise TokenRejected("session_tampered") from exc
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in "peh"):
        raise TokenRejected("session_tampered")
    return WidgetSession(
        placement_key=data["p"], employee_id=data["e"], secret_fingerprint=data["h"]
    )
