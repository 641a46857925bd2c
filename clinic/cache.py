"""The cache in one place: versioned get-or-build for every cached page and list, and the Redis backend.

Versioned entries: each family of entries (the article pages, the slot lists) has a version key;
every entry is stored with the version it was built under, and one round trip reads both the
current version and the entry, so an entry of an older version is a miss. Changing the data
replaces the version (`new_version`), so every app server sharing the cache (Redis in production)
stops serving the old entries at once; they then expire on their own. Views do not build cache
keys of their own: they name what they cache and call `get_or_build` (or `lookup` and `store` when
only some results may be kept).

The Redis backend: Django's, reusing one redis client per connection pool.

Django builds a new `redis.Redis` for every cache operation, and redis-py 8 fills in its table of
response callbacks (about 170 entries) each time: a fifth of what serving a cached page costs.
A client is safe to share between threads (each command takes a connection from the pool), so
one per pool is enough.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import transaction

# What `lookup` returns when there is no current entry (None is a value that can be cached).
MISS = object()


def current_version(version_key: str) -> str:
    """The version entries of this family are stored under now (made on first use)."""
    version = cache.get(version_key)
    if version is None:
        # add(), not set(): when two servers race here, both end up with the same version.
        cache.add(version_key, uuid.uuid4().hex, timeout=None)
        version = cache.get(version_key)
    return version


def new_version(version_key: str) -> None:
    """Drop every entry of this family: now, and again once the transaction commits, so that an
    entry another server built from the old rows in between does not survive."""

    def replace():
        cache.set(version_key, uuid.uuid4().hex, timeout=None)

    replace()
    transaction.on_commit(replace)


def lookup(version_key: str, key: str) -> tuple[str, Any]:
    """(the current version, the entry stored under it or MISS), in one round trip."""
    found = cache.get_many([version_key, key])
    version = found.get(version_key) or current_version(version_key)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, MISS


def store(key: str, version: str, value, timeout: int) -> None:
    cache.set(key, (version, value), timeout)


def get_or_build(*, version_key: str, key: str, build: Callable[[], Any], timeout: int):
    """The entry for `key` under the current version, built by `build()` and stored on a miss."""
    version, value = lookup(version_key, key)
    if value is MISS:
        value = build()
        store(key, version, value, timeout)
    return value


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
