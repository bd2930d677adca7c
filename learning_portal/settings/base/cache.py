"""Redis clients and sessions. DATABASES, CACHES and the Celery broker themselves are
production.py's (required) or local.py's (embedded)."""

from .core import env

# Every Redis client (cache, sessions, widget counters, the catalog index store, the Celery
# broker) gives up after these many seconds: a healthy Redis answers in about a millisecond
# (the catalog index, the largest value, in tens), and a frozen one must not hold a request.
# Behind each client a per-process circuit breaker (learning_portal.core.circuit) then fails
# calls at once for a few seconds, so a frozen Redis costs one such wait per few seconds.
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)


def redis_caches(redis_url: str) -> dict:
    """The cache on Redis, shared by every environment that has one (production requires it)."""
    return {
        "default": {
            "BACKEND": "learning_portal.core.cache.PortalRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="lp"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }


# Sessions live in the cache with the database behind it: a request that hits the cache
# costs no query, a cache flush logs nobody out, and a cache outage falls back to the database.
SESSION_ENGINE = "learning_portal.core.sessions"
# Wards share PCs: a session ends after this long without a page view (seconds; default 8 h)
# and this long after sign-in whatever happens (default 12 h, one long shift). Widget views
# on the intranet do not count as activity. See learning_portal.core.security.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=8 * 60 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
