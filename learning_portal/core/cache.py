"""Django's Redis cache with one redis-py client per pool and a circuit breaker.

Django builds a new redis-py client object for every cache call; that construction is pure
Python overhead (tens of microseconds, several times per request on the widget's hot path).
redis-py clients are thread-safe and share their pool, so one per pool is enough.

Every call goes through the process's "Redis cache" breaker (learning_portal.core.circuit):
with short socket timeouts (settings: REDIS_SOCKET_TIMEOUT), a frozen Redis costs one
timeout per few seconds per process, and the calls in between fail at once with the same
connection error as a Redis that is down, which every caller already handles.
"""

from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .circuit import breaker

# Failures that mean "Redis is not answering", as opposed to a bad value or command.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

CACHE_BREAKER = "Redis cache"


def breaker_name(servers) -> str:
    """'Redis cache (host:port/db)': one breaker per Redis, named without credentials."""
    url = urlsplit(servers[0] if isinstance(servers, list | tuple) else servers)
    return f"{CACHE_BREAKER} ({url.hostname}:{url.port or 6379}{url.path or '/0'})"


class PooledClientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}
        self.breaker = breaker(breaker_name(servers))

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


def _guarded(name: str):
    unguarded = getattr(RedisCacheClient, name)

    def call(self, *args, **kwargs):
        self.breaker.check()
        try:
            result = unguarded(self, *args, **kwargs)
        except UNAVAILABLE as exc:
            self.breaker.failure(exc)
            raise
        except Exception:
            # An error about the value or the command: Redis itself answered.
            self.breaker.success()
            raise
        self.breaker.success()
        return result

    call.__name__ = name
    return call


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(PooledClientRedisCacheClient, _name, _guarded(_name))


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient


class LocalFallbackCache:
    """The shared cache, or this process's memory while the shared cache is unavailable.

    For allauth's sign-in rate limits (wired in CoreConfig.ready): failing them closed would
    lock everyone out during a Redis outage, failing them open would drop the brute-force
    protection. Counted in process memory instead, each web process still enforces the
    limits (an attacker gets at most processes × the limit) until Redis answers again, when
    counting returns to the shared store (the in-memory counts are then forgotten).
    """

    def __init__(self, shared_alias: str = "default"):
        self.shared_alias = shared_alias
        self._local = None

    @property
    def local(self):
        if self._local is None:
            from django.core.cache.backends.locmem import LocMemCache

            self._local = LocMemCache("rate-limit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
        return self._local

    def __getattr__(self, name):
        from django.core.cache import caches

        shared_method = getattr(caches[self.shared_alias], name)
        if not callable(shared_method):
            return shared_method

        def call(*args, **kwargs):
            try:
                return shared_method(*args, **kwargs)
            except UNAVAILABLE:
                return getattr(self.local, name)(*args, **kwargs)

        return call
