"""Django's Redis cache with one redis-py client per connection pool.

Django's client builds a new ``redis.Redis`` for every cache call, and redis-py fills each new one
with its table of ~170 reply callbacks: a third of a millisecond per call, on every request that
reads a cached body or a rate limit. redis-py's clients are safe to share between threads, so one
per pool serves them all.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, untyped
        client = self._clients.get(id(pool))
        if client is None:
            new_client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
            client = self._clients.setdefault(id(pool), new_client)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
