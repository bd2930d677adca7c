"""Sign-in throttling that an attacker cannot turn against the account's owner.

A plain "five failures lock the account" lets anyone lock a colleague out, and an address
limit locks a whole ward out behind one NAT or load balancer. So failures are counted in
separate buckets (allauth's rate limiter, shared through the cache):
- a device that has signed in as this account before (it holds a signed "known device"
  cookie naming the account) has a bucket of its own for that account, so the owner's
  right password from their usual PC still works while strangers are held off;
- any other device shares the account's bucket, and a per-client-IP bucket generous enough
  for a ward's shared address (the real client IP: ALLAUTH_TRUSTED_PROXY_COUNT /
  ALLAUTH_TRUSTED_CLIENT_IP_HEADER, set from the environment).
Only failures are counted (a right password never uses up an attempt), and every refusal is
logged.
"""

import hashlib
import logging
import secrets

from allauth.core import ratelimit
from allauth.core.internal.httpkit import get_client_ip
from django.conf import settings
from django.core import signing

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "lp_device"
DEVICE_SALT = "people.lockout.known-device"
DEVICE_MAX_AGE = 180 * 24 * 60 * 60
# A shared ward PC remembers this many accounts (the most recent ones).
DEVICE_MAX_ACCOUNTS = 30
UNKNOWN_DEVICE_ACTION = "login_failed"
KNOWN_DEVICE_ACTION = "login_failed_known_device"


def _account_tag(login: str) -> str:
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:24]


def _device(request) -> dict | None:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        device = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(device, dict) or not isinstance(device.get("a"), list):
        return None
    return device


def known_device_id(request, login: str) -> str | None:
    """The device's id when it has signed in as this account before, else None."""
    device = _device(request)
    if device and _account_tag(login) in device["a"]:
        return str(device.get("d"))
    return None


def failed_logins_allowed(request, login: str) -> bool:
    """Whether this device may try the account's password now (counts nothing)."""
    return ratelimit.consume(request, dry_run=True, **_bucket(request, login))


def failed_login_count(request, login: str) -> None:
    """Record a failed password for the account from this device."""
    ratelimit.consume(request, **_bucket(request, login))


def _bucket(request, login: str) -> dict:
    device_id = known_device_id(request, login)
    if device_id:
        return {"action": KNOWN_DEVICE_ACTION, "key": f"{_account_tag(login)}:{device_id}"}
    return {"action": UNKNOWN_DEVICE_ACTION, "key": _account_tag(login)}


def lockout_log(request, login: str) -> None:
    known = known_device_id(request, login) is not None
    logger.warning(
        "sign-in locked: too many failed passwords for %s from %s (%s device)",
        login.strip().lower(),
        get_client_ip(request) or "unknown address",
        "known" if known else "unknown",
    )


def device_remember(request, response, login: str) -> None:
    """After a successful password sign-in: this device now knows the account."""
    device = _device(request) or {"d": secrets.token_urlsafe(12), "a": []}
    tag = _account_tag(login)
    accounts = [account for account in device["a"] if account != tag] + [tag]
    device["a"] = accounts[-DEVICE_MAX_ACCOUNTS:]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(device, salt=DEVICE_SALT),
        max_age=DEVICE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
