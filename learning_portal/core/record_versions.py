"""A per-person version of their learning record, for caches that must never show stale data.

Whatever is derived from someone's enrollments (for instance the widget, which must never
suggest what they already enrolled in) can be cached under the current version and trusted
until the version changes. The enrollment services bump it whenever they write the
transcript, after the transaction commits; people.signals bumps it when the account's
password or active flag changes, so what was cached for a session or token of theirs is
checked in full again; people.services bumps it when they choose another learning language,
which the widget ranks by. Without a cache (or with the cache down) every
read simply misses.
"""

import contextlib
import time

from django.core.cache import cache
from django.db import transaction

TTL_SECONDS = 7 * 24 * 60 * 60


def record_version_key(user_id: int) -> str:
    return f"record-version:{user_id}"


def record_version_bump(*, user_id: int) -> None:
    """Give the person's record a new version once the current transaction commits."""

    def bump():
        # A time-based value rather than INCR: an evicted key can never come back to an
        # old value that a cached entry was stored under.
        with contextlib.suppress(Exception):
            cache.set(record_version_key(user_id), time.time_ns(), TTL_SECONDS)

    transaction.on_commit(bump)


def record_versions_bump(*, user_ids) -> None:
    """The same for many people at once (a bulk write), in one cache round trip."""
    user_ids = list(user_ids)

    def bump():
        version = time.time_ns()
        with contextlib.suppress(Exception):
            cache.set_many({record_version_key(pk): version for pk in user_ids}, TTL_SECONDS)

    if user_ids:
        transaction.on_commit(bump)
