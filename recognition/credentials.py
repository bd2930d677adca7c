"""Open Badges 3.0: each award as an `OpenBadgeCredential`, signed as a VC-JWT (§8.2).

The JWT's payload is the credential itself, with the registered claims the spec maps onto
it (`iss` = issuer.id, `jti` = id, `nbf` = validFrom, `sub` = credentialSubject.id); the
header carries `alg` RS256, `typ` JWT and the `kid`, a URL of the public key. Verifiers find
the key in the issuer's JWKS (`recognition:jwks`) or at the `kid` URL; ours
(`credential_verify`) looks it up among the issuer's own keys.

The recipient is named (the person downloads and shares the file themselves) and their work
email is given only as a salted SHA-256 hash, so the file does not publish an address.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import RSAKey
from joserfc.jws import extract_compact

from . import keys
from .models import BadgeAward

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
MEDIA_TYPE = "application/jwt"

INVALID_FORMAT = "This is not a signed credential (a VC-JWT: three parts separated by dots)."
INVALID_SIGNATURE = "The signature does not match: the credential was changed or not issued here."
INVALID_ISSUER = "This credential was not issued by this portal."
INVALID_CONTENT = "The credential is signed but is not an Open Badges 3.0 credential."
UNKNOWN_AWARD = "The signature is ours, but this portal has no record of the award."


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def issuer_id() -> str:
    return _absolute(reverse("recognition:issuer"))


def issuer_profile() -> dict:
    """The issuer's Profile, served at its id (an Open Badges 3.0 `Profile`)."""
    return {
        "@context": CONTEXTS,
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.BADGE_ISSUER_NAME,
        "url": _absolute("/"),
    }


def credential_id(award: BadgeAward) -> str:
    # A URN, not a URL: no page about a person is published by default.
    return f"urn:uuid:{award.uid}"


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _email_identifier(email: str) -> dict:
    salt = secrets.token_hex(8)
    digest = hashlib.sha256((email.lower() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "salt": salt,
    }


def credential_build(award: BadgeAward) -> dict:
    """The award as an OpenBadgeCredential (unsigned), with its JWT claims."""
    badge = award.badge_class
    recipient = award.recipient
    credential = {
        "@context": CONTEXTS,
        "id": credential_id(award),
        "type": CREDENTIAL_TYPES,
        "issuer": {key: value for key, value in issuer_profile().items() if key != "@context"},
        "validFrom": _utc(award.awarded_at),
        "name": badge.name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": recipient.get_full_name() or recipient.email,
                },
                _email_identifier(recipient.email),
            ],
            "achievement": {
                "id": _absolute(badge.get_absolute_url()),
                "type": ["Achievement"],
                "name": badge.name,
                "description": badge.description,
                "criteria": {"narrative": badge.criteria_narrative},
                "achievementType": "Badge",
            },
        },
        "evidence": [{"type": ["Evidence"], "narrative": award.evidence}],
    }
    return credential


def credential_sign(award: BadgeAward) -> str:
    """The award's credential as a compact VC-JWT signed with the current issuer key."""
    credential = credential_build(award)
    key = keys.signing_key()
    # The kid is a URL to the public key, not the key itself: an RSA key inline would
    # make the header larger than verifiers accept (joserfc refuses headers over 512 bytes).
    header = {"alg": keys.ALGORITHM, "typ": "JWT", "kid": keys.key_url(key.kid)}
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(award.awarded_at.timestamp()),
    }
    return jwt.encode(header, claims, key, algorithms=[keys.ALGORITHM])


@dataclass(frozen=True)
class Verification:
    """What the verification page says about a presented credential."""

    valid: bool
    problem: str = ""
    credential: dict | None = None
    award: BadgeAward | None = None

    @property
    def revoked(self) -> bool:
        return self.award is not None and self.award.is_revoked

    @property
    def issued(self) -> datetime.datetime | None:
        try:
            return datetime.datetime.fromisoformat(str(self.credential["validFrom"]))
        except (TypeError, KeyError, ValueError):
            return None


def _decode(token: str, key: RSAKey) -> dict:
    return jwt.decode(token, key, algorithms=[keys.ALGORITHM]).claims


def credential_verify(token: str) -> Verification:
    """Check a presented VC-JWT: our signature (current or retired key), our issuer, the
    Open Badges shape, and the award's standing (a revoked award verifies as revoked)."""
    token = "".join(token.split())
    if token.count(".") != 2:
        return Verification(False, INVALID_FORMAT)
    try:
        kid = str(extract_compact(token.encode("ascii")).headers().get("kid") or "")
    except (JoseError, ValueError, UnicodeError):
        return Verification(False, INVALID_FORMAT)
    # Matched on the key's own id (the URL's last part), so a change of the portal's base
    # URL does not orphan credentials issued before it.
    key = keys.verification_keys().get(kid.rstrip("/").rsplit("/", 1)[-1])
    if key is None:
        return Verification(False, INVALID_ISSUER)
    try:
        claims = _decode(token, key)
    except BadSignatureError:
        return Verification(False, INVALID_SIGNATURE)
    except (JoseError, ValueError):
        return Verification(False, INVALID_FORMAT)
    issuer = claims.get("issuer")
    issuer_ok = isinstance(issuer, dict) and issuer.get("id") == claims.get("iss") == issuer_id()
    if not issuer_ok:
        return Verification(False, INVALID_ISSUER)
    types = claims.get("type") or []
    subject = claims.get("credentialSubject") or {}
    if "OpenBadgeCredential" not in types or "achievement" not in subject:
        return Verification(False, INVALID_CONTENT)
    jti = str(claims.get("jti") or "")
    uid = jti.removeprefix("urn:uuid:")
    award = (
        BadgeAward.objects.select_related("badge_class", "recipient").filter(uid=uid).first()
        if len(uid) == 36
        else None
    )
    if award is None:
        return Verification(False, UNKNOWN_AWARD, credential=claims)
    return Verification(True, credential=claims, award=award)
