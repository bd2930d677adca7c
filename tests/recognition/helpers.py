"""A circle whose meetings have been held, the way circles records it (wrap-up service), and
an award's credential checked as an outside verifier would."""

import base64
import datetime as dt
import json

import time_machine
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from circles import services as circle_services
from circles.selectors import circle_member_users
from tests.circles.factories import make_circle
from tests.people.factories import EmployeeFactory


def running_circle(*, members: int = 2, title: str = "Purple Cow spring circle"):
    """A running circle with seated members; returns (circle, facilitator, members)."""
    circle = make_circle(state="running", title=title)
    people = [EmployeeFactory().user for _ in range(members)]
    for user in people:
        circle_services.circle_join(user=user, circle=circle)
    return circle, circle.proposed_by, people


def hold_meeting(circle, week: int, *, attended, publish: bool = False, summary: str = ""):
    """Wrap up the week's meeting after it ended, with attendance for `attended` members."""
    meeting = circle.meetings.get(week=week)
    members = circle_member_users(circle=circle)
    attendance = {user.pk: user in attended for user in members if user != circle.proposed_by}
    with time_machine.travel(meeting.ends_at + dt.timedelta(minutes=5)):
        return circle_services.wrapup_save(
            meeting=meeting,
            actor=circle.proposed_by,
            held=True,
            attendance=attendance,
            summary=summary,
            publish=publish,
        )


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def public_key(jwk: dict) -> rsa.RSAPublicKey:
    n = int.from_bytes(b64decode(jwk["n"]), "big")
    e = int.from_bytes(b64decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


def verify_independently(token: str, jwks: dict) -> tuple[dict, dict]:
    """Header and payload of a compact RS256 JWS whose signature matches a JWKS key, or raise."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64decode(header_b64))
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    (jwk,) = [key for key in jwks["keys"] if key["kid"] == header["kid"]]
    public_key(jwk).verify(
        b64decode(signature_b64),
        f"{header_b64}.{payload_b64}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    return header, json.loads(b64decode(payload_b64))
