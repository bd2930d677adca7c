"""Who is looking at the widget: an embed token, the portal session, or nobody."""

import contextlib
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache

from people.models import Employee

from . import counters
from .models import Placement
from .tokens import (
    TokenRejected,
    secret_fingerprint,
    token_placement_key,
    token_verify,
    widget_session_mint,
    widget_session_verify,
)

WIDGET_SESSION_COOKIE = "lpw_session"

PLACEMENTS_CACHE_KEY = "widgets:placements:v1"
PLACEMENTS_TTL_SECONDS = 5 * 60


@dataclass(frozen=True)
class PlacementInfo:
    key: str
    origin: str
    secret: str
    default_variant: str


# Placements change only when an admin edits one; every widget response needs them (allowed
# origins, token secrets), so each process keeps them for a few seconds besides the cache.
_MEMO_SECONDS = 10.0
_memo: tuple[float, dict[str, PlacementInfo] | None] = (0.0, None)


def active_placements() -> dict[str, PlacementInfo]:
    """Active placements by key: process memo, then the shared cache, then the database."""
    global _memo
    checked_at, placements = _memo
    if placements is not None and time.monotonic() - checked_at < _MEMO_SECONDS:
        return placements
    try:
        placements = cache.get(PLACEMENTS_CACHE_KEY)
    except Exception:  # noqa: BLE001
        placements = None
    if placements is None:
        placements = {
            p.key: PlacementInfo(p.key, p.origin, p.secret, p.default_variant)
            for p in Placement.objects.filter(is_active=True)
        }
        # The cache may be down; the placements are then read again next time.
        with contextlib.suppress(Exception):
            cache.set(PLACEMENTS_CACHE_KEY, placements, PLACEMENTS_TTL_SECONDS)
    _memo = (time.monotonic(), placements)
    return placements


def placements_memo_forget() -> None:
    """Drop this process's memo (an admin just changed a placement, or a test did)."""
    global _memo
    _memo = (0.0, None)


def allowed_origins() -> list[str]:
    return sorted({p.origin for p in active_placements().values()})


@dataclass(frozen=True)
class Claim:
    """Who the request says it is, established without the database.

    An embed token or a widget session is verified by its signature; a portal session names
    its user and the session auth hash Django checked when the session was last used in
    full. `subject` keys caches. `widget_session` is the value the response hands on (in
    forms and the cookie): the one presented, or a new one for a token just exchanged.
    """

    subject: str
    user_id: int | None = None
    session_auth_hash: str | None = None
    employee_id: str | None = None
    placement: PlacementInfo | None = None
    rejected: str | None = None
    widget_session: str | None = None
    exchanged: bool = False


ANONYMOUS = Claim(subject="anonymous")


def request_origin(request) -> str | None:
    """The origin of the page that made the request: Origin, else the Referer's origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.rstrip("/")
    parts = urlsplit(request.headers.get("referer", ""))
    if parts.scheme and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _origin_allowed(request, placement: PlacementInfo) -> bool:
    # The placement's page, or the portal itself (the embed page's live preview).
    return request_origin(request) in (placement.origin, settings.PORTAL_BASE_URL)


def _rejected(reason: str) -> Claim:
    counters.count_token_rejection(reason)
    return Claim(subject="anonymous", rejected=reason)


def claim_for(request, token: str | None = None, *, widget_session: str | None = None) -> Claim:
    """The claim of an embed token (exchanged for a widget session), a widget session, or
    the portal session, in that order."""
    if token:
        try:
            placement = active_placements().get(token_placement_key(token))
            if placement is None:
                raise TokenRejected("unknown_placement")
            verified = token_verify(token=token, secret=placement.secret)
            if not _origin_allowed(request, placement):
                # Bound to the placement: a copied token does not work from another page.
                raise TokenRejected("wrong_origin")
        except TokenRejected as exc:
            return _rejected(exc.reason)
        return Claim(
            subject=f"employee:{verified.employee_id}",
            employee_id=verified.employee_id,
            placement=placement,
            widget_session=widget_session_mint(
                placement_key=placement.key,
                secret=placement.secret,
                employee_id=verified.employee_id,
            ),
            exchanged=True,
        )
    if widget_session:
        try:
            verified = widget_session_verify(widget_session)
            placement = active_placements().get(verified.placement_key)
            if placement is None or (
                secret_fingerprint(placement.secret) != verified.secret_fingerprint
            ):
                raise TokenRejected("session_revoked")
        except TokenRejected as exc:
            return _rejected(exc.reason)
        return Claim(
            subject=f"employee:{verified.employee_id}",
            employee_id=verified.employee_id,
            placement=placement,
            widget_session=widget_session,
        )
    session = getattr(request, "session", None)
    user_id = session.get(SESSION_KEY) if session is not None else None
    if user_id is None:
        return ANONYMOUS
    return Claim(
        subject=f"user:{user_id}",
        user_id=int(user_id),
        session_auth_hash=session.get(HASH_SESSION_KEY),
    )


@dataclass(frozen=True)
class Identity:
    user: object | None
    via_token: bool
    placement: PlacementInfo | None
    rejected: str | None = None


def identify_claim(request, claim: Claim) -> Identity:
    """The full check against the database: the employee behind a token must exist and be
    active; a session's user is loaded and verified by Django's authentication."""
    if claim.employee_id is not None:
        employee = (
            Employee.objects.select_related("user", "department", "role")
            .filter(employee_id=claim.employee_id)
            .first()
        )
        reason = None
        if employee is None:
            reason = "unknown_employee"
        elif not employee.user.is_active:
            reason = "inactive"
        if reason:
            counters.count_token_rejection(reason)
            return Identity(user=None, via_token=True, placement=None, rejected=reason)
        return Identity(user=employee.user, via_token=True, placement=claim.placement)
    if claim.rejected:
        return Identity(user=None, via_token=True, placement=None, rejected=claim.rejected)
    if request.user.is_authenticated:
        return Identity(user=request.user, via_token=False, placement=None)
    return Identity(user=None, via_token=False, placement=None)


def identify(request, token: str | None = None, *, widget_session: str | None = None) -> Identity:
    """The viewer: a valid embed token or widget session wins; then the portal session; else
    anonymous.

    A tampered, expired or unknown token falls back to the generic variant (never an error
    page or a login loop) and is counted by reason.
    """
    return identify_claim(request, claim_for(request, token, widget_session=widget_session))
