"""Short-lived embed tokens for cross-site intranets, where third-party cookies are blocked.

The intranet's server mints `<placement key>.<signed payload>` with the placement's secret
through `django.core.signing`; the payload carries the employee ID and an expiry. The portal
verifies it and never trusts the employee ID without a valid signature.
"""

import time
from dataclasses import dataclass

from django.core import signing

SALT = "learning_portal.widgets.embed-token"
MAX_TTL_SECONDS = 24 * 60 * 60
DEFAULT_TTL_SECONDS = 15 * 60


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
