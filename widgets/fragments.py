"""The rendered widget, cached per person and trusted while their learning record is unchanged.

The widget is on every intranet page view, so a warm request should cost one cache round
trip and no SQL. The fragment is stored with the person's record version (bumped by every
transcript write and dismissal, a change of their learning language, which the ranking
prefers (the key is made before the person is loaded, so the version carries it), and when
their password or active flag changes: see core.record_versions), the catalog version it was
computed under (raised by every committed catalog change, e.g. an item restricted or
unpublished) and the next moment it must be recomputed (a theme release, a publish window
opening or closing), and is never served once any of them has moved on; all are read in the
same round trip. What varies per response
(CSRF token, widget session, the iframe's id) is left as slots filled at the end.
"""

import contextlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.utils.html import escape

from catalog.index import CACHE_VERSION_KEY
from learning_portal.core.record_versions import record_version_key

from .selectors import POOL_TTL_SECONDS, WidgetResult, time_bucket

SLOTS = {
    "csrf": "@@lpw-slot-csrf@@",
    "widget_session": "@@lpw-slot-widget-session@@",
    "frame": "@@lpw-slot-frame@@",
}
FRAME_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Fragment:
    html: str
    result: WidgetResult
    user_id: int | None
    record_version: int | None
    # The session auth hash Django verified when this was rendered: a session may reuse the
    # fragment without loading the user only while it still carries that hash.
    session_auth_hash: str | None
    valid_until: datetime | None


def clean_frame_id(value: str) -> str:
    """The embedding page's iframe id, reduced to characters that need no escaping."""
    return FRAME_ID.sub("", value)[:40]


def fragment_key(*, now: datetime, subject: str, variant: str, limit: int) -> str:
    return f"widgets:fragment:v2:{time_bucket(now)}:{subject}:{variant}:{limit}"


@dataclass(frozen=True)
class Lookup:
    """The cached fragment (None when it may not be served) and what was read with it,
    so a render that follows needs no second round trip for the same values."""

    fragment: Fragment | None
    catalog_version: int | None = None
    # Only known when the claim named the user (a portal session).
    record_version: int | None = None
    record_version_known: bool = False


MISSED = Lookup(fragment=None)


def fragment_lookup(*, key: str, claim, now: datetime) -> Lookup:
    """The cached fragment if it may be served to this claim as it is, and the versions."""
    keys = [key, CACHE_VERSION_KEY]
    if claim.user_id:
        keys.append(record_version_key(claim.user_id))
    try:
        found = cache.get_many(keys)
    except Exception:  # noqa: BLE001 - the cache is down: render from the database
        return MISSED
    lookup = Lookup(
        fragment=None,
        catalog_version=found.get(CACHE_VERSION_KEY),
        record_version=found.get(record_version_key(claim.user_id)) if claim.user_id else None,
        record_version_known=bool(claim.user_id),
    )
    fragment = found.get(key)
    if fragment is None:
        return lookup
    if fragment.result.catalog_version != lookup.catalog_version:
        # A committed catalog change (an item restricted or unpublished) since it was made.
        return lookup
    if claim.user_id:
        current_version = lookup.record_version
    elif fragment.user_id:
        try:
            current_version = cache.get(record_version_key(fragment.user_id))
        except Exception:  # noqa: BLE001
            return lookup
    else:
        current_version = None
    if fragment.record_version != current_version:
        return lookup
    if claim.user_id and fragment.session_auth_hash != claim.session_auth_hash:
        return lookup
    if fragment.valid_until is not None and now >= fragment.valid_until:
        return lookup
    return Lookup(
        fragment=fragment,
        catalog_version=lookup.catalog_version,
        record_version=lookup.record_version,
        record_version_known=lookup.record_version_known,
    )


def record_version_of(user_id: int | None, *, lookup: Lookup = MISSED):
    """Read before rendering: a bump during the render then invalidates what is stored.

    The lookup's value when it read this person's version already.
    """
    if not user_id:
        return None
    if lookup.record_version_known:
        return lookup.record_version
    try:
        return cache.get(record_version_key(user_id))
    except Exception:  # noqa: BLE001
        return None


def fragment_set(*, key: str, fragment: Fragment) -> None:
    with contextlib.suppress(Exception):
        cache.set(key, fragment, POOL_TTL_SECONDS)


def fill_slots(html: str, *, csrf: str, widget_session: str | None, frame: str) -> str:
    return (
        html.replace(SLOTS["csrf"], csrf)
        .replace(SLOTS["widget_session"], escape(widget_session or ""))
        .replace(SLOTS["frame"], frame)
    )
