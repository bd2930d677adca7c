"""The widget's cache, which may be down: every read and write is allowed to fail.

And the keys of what is cached, each naming everything its value depends on.
"""

import hashlib
import logging
from datetime import date, datetime

from django.core.cache import cache

from .viewer import Viewer

logger = logging.getLogger("widgets.selectors")

POOL_TTL_SECONDS = 5 * 60
SEGMENT_TTL_SECONDS = 10 * 60
TEAM_TTL_SECONDS = 60 * 60
CACHE_VERSION = "v4"


def _cache_get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except Exception:  # noqa: BLE001
        logger.warning("widget cache unavailable; rendering from the database")
        return {}


def _cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("widget cache unavailable; not caching %s", key)


def time_bucket(now: datetime) -> int:
    # Bucketed by time so what changes without a catalog write (popularity, a theme released
    # early) shows within POOL_TTL_SECONDS.
    return int(now.timestamp()) // POOL_TTL_SECONDS


def pool_key(now: datetime, catalog_version: int | None) -> str:
    """The pool and everything derived from it are keyed on the catalog version, so a
    committed visibility change (audience, publication) retires them before the next request."""
    return f"widgets:pool:{CACHE_VERSION}:{catalog_version}:{time_bucket(now)}"


def _segment_key(pool_key: str, viewer: Viewer) -> str:
    signature = f"{viewer.department_id}:{viewer.role_id}:{int(viewer.is_manager)}:" + ",".join(
        map(str, viewer.group_ids)
    )
    digest = hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{pool_key}:seg:{digest}"


def _department_key(department_id: int, today: date) -> str:
    return f"widgets:dept:{CACHE_VERSION}:{department_id}:{today.isoformat()}"


def _team_key(manager_pk: int, today: date) -> str:
    return f"widgets:team:{CACHE_VERSION}:{manager_pk}:{today.isoformat()}"


def _person_key(pool_key: str, viewer: Viewer, variant: str, limit: int) -> str:
    if viewer.is_anonymous:
        return f"{pool_key}:generic:{limit}"
    signature = repr(
        (
            variant,
            limit,
            viewer.department_id,
            viewer.role_id,
            viewer.is_manager,
            viewer.group_ids,
            sorted(viewer.interest_ids),
            sorted(viewer.excluded_item_ids),
            sorted(viewer.manager_suggested_ids),
            viewer.language,
        )
    )
    digest = hashlib.sha1(signature.encode(), usedforsecurity=False).hexdigest()[:20]
    return f"{pool_key}:person:{viewer.user_id}:{digest}"
