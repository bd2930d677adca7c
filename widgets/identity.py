"""Who is looking at the widget: an embed token, the portal session, or nobody."""

import contextlib
import time
from dataclasses import dataclass

from django.core.cache import cache

from people.models import Employee

from . import counters
from .models import Placement
from .tokens import TokenRejected, token_placement_key, token_verify

PLACEMENTS_CACHE_KEY = "widgets:placements:v1"
PLACEMENTS_TTL_SECONDS = 5 * 60


@dataclass(frozen=True)
class PlacementInfo:
    key: str
    origin: str
    secret: str
    default_variant: str


def active_placements() -> dict[str, PlacementInfo]:
    """Active placements by key, cached: every widget request needs the allowed origins."""
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
    return placements


# Every widget response names the allowed origins in its CSP. They change only when an admin
# edits a placement, so each process keeps them for a few seconds instead of asking Redis.
_ORIGINS_MEMO_SECONDS = 10.0
_origins_memo: tuple[float, list[str]] = (0.0, [])


def allowed_origins() -> list[str]:
    global _origins_memo
    checked_at, origins = _origins_memo
    if time.monotonic() - checked_at < _ORIGINS_MEMO_SECONDS:
        return origins
    origins = sorted({p.origin for p in active_placements().values()})
    _origins_memo = (time.monotonic(), origins)
    return origins


def allowed_origins_forget() -> None:
    """Drop this process's memo (an admin just changed a placement, or a test did)."""
    global _origins_memo
    _origins_memo = (0.0, [])


@dataclass(frozen=True)
class Identity:
    user: object | None
    via_token: bool
    placement: PlacementInfo | None
    rejected: str | None = None


def identify(request, token: str | None) -> Identity:
    """The viewer: a valid embed token wins; then the portal session; else anonymous.

    A tampered, expired or unknown token falls back to the generic variant (never an error
    page or a login loop) and is counted by reason.
    """
    if token:
        try:
            placement = active_placements().get(token_placement_key(token))
            if placement is None:
                raise TokenRejected("unknown_placement")
            identity = token_verify(token=token, secret=placement.secret)
            employee = (
                Employee.objects.select_related("user", "department", "role")
                .filter(employee_id=identity.employee_id)
                .first()
            )
            if employee is None:
                raise TokenRejected("unknown_employee")
            if not employee.user.is_active:
                raise TokenRejected("inactive")
        except TokenRejected as exc:
            counters.count_token_rejection(exc.reason)
            return Identity(user=None, via_token=True, placement=None, rejected=exc.reason)
        return Identity(user=employee.user, via_token=True, placement=placement)
    if request.user.is_authenticated:
        return Identity(user=request.user, via_token=False, placement=None)
    return Identity(user=None, via_token=False, placement=None)
