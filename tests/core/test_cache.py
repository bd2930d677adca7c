import pytest
from django.conf import settings

from learning_portal.core.cache import PortalRedisCache

pytestmark = pytest.mark.redis


def test_redis_cache_reuses_one_client_per_pool_and_still_works():
    cache = PortalRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-client-reuse"})

    cache.set("greeting", "hello", 30)

    assert cache._cache.get_client() is cache._cache.get_client()
    assert cache.get("greeting") == "hello"
    cache.delete("greeting")
