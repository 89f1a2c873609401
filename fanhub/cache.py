"""The cache on Redis, failing open: when Redis is unreachable, each process keeps
working on a cache of its own in memory instead of answering 500.

The cache holds only what may be lost: rate-limit counters (ours and allauth's).
Sessions live in the database, so nobody is logged out. While Redis is away, rate
limits hold per process (a little looser across several gunicorn workers), a
warning is logged, and Redis is tried again every few seconds.
"""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)


def redis_cache(url: str) -> dict:
    """The CACHES entry for REDIS_URL."""
    return {
        "BACKEND": "fanhub.cache.FailOpenRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "fanhub",
        # A Redis that hangs must not hang a request: give up within a second.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


class ReusedClient(RedisCacheClient):
    """One redis.Redis per connection pool, not one per cache call as Django makes
    them: building one sets up about 170 response callbacks, 0.1 ms of CPU, an eighth
    of what a page from the cache costs. A client is safe to share between threads
    (each command takes a connection from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        if pool not in self._clients:
            self._clients[pool] = self._client(connection_pool=pool)
        return self._clients[pool]


class FailOpenRedisCache(RedisCache):
    # After a failure, this process uses its own memory this long before trying again.
    _retry_after = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
        # One per process (LocMemCache shares storage by name across threads).
        self._fallback = LocMemCache(
            "fanhub-redis-fallback",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 10_000}},
        )
        self._failed_at: float | None = None

    def _call(self, name: str, *args, **kwargs):
        if self._failed_at is None or time.monotonic() - self._failed_at >= self._retry_after:
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except (ConnectionError, TimeoutError) as error:
                self._failed_at = time.monotonic()
                logger.warning(
                    "Redis is unreachable (%s): rate limits hold per process for now.", error
                )
            else:
                if self._failed_at is not None:
                    self._failed_at = None
                    logger.info("Redis is reachable again.")
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    # Every operation RedisCache implements itself; the rest (decr, get_or_set, the
    # async variants) are built on these.
    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        self._fallback.clear()  # counts made while Redis was away go too
        return self._call("clear")
