"""The cache in one place: versioned get-or-build for every cached page and list, and the Redis backend.

Versioned entries: each family of entries (the article pages, the slot lists) has a version key;
every entry is stored with the version it was built under, and one round trip reads both the
current version and the entry, so an entry of an older version is a miss. Changing the data
replaces the version (`new_version`), so every app server sharing the cache (Redis in production)
stops serving the old entries at once; they then expire on their own. Views do not build cache
keys of their own: they name what they cache and call `get_or_build` (or `lookup` and `store` when
only some results may be kept).

The Redis backend: Django's, reusing one redis client per connection pool, with a lean path
for reads.

Django builds a new `redis.Redis` for every cache operation, and redis-py 8 fills in its table of
response callbacks (about 170 entries) each time: a fifth of what serving a cached page costs.
A client is safe to share between threads (each command takes a connection from the pool), so
one per pool is enough.

Reads (`get`, `get_many`: every cached page does one) and `set` (versions and entries) go over
a connection each thread keeps for itself, without the pool's checkout and the client's retry
machinery around every command: that was two thirds of the cost of a cache hit in this process.
A connection that fails is closed (nothing half-read is ever read by the next command), and the
command is made again the ordinary way, with redis-py's own retries. Other writes (add, incr,
delete...) keep the ordinary way.
"""

import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.cache.backends import redis as django_redis
from django.db import transaction
from redis import exceptions as redis_exceptions

# What `lookup` returns when there is no current entry (None is a value that can be cached).
MISS = object()
# What a lean read returns when its connection failed (see RedisCacheClient._command).
FAILED = object()


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
    version, (entry,) = lookup_many(version_key, [key])
    return version, entry


def lookup_many(version_key: str, keys: list[str]) -> tuple[str, list]:
    """(the current version, [each entry stored under it or MISS]), in one round trip."""
    found = cache.get_many([version_key, *keys])
    version = found.get(version_key) or current_version(version_key)
    entries = []
    for key in keys:
        entry = found.get(key)
        entries.append(entry[1] if entry is not None and entry[0] == version else MISS)
    return version, entries


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
        self._reader = threading.local()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client

    def _command(self, *command):
        """The reply to one command, over this thread's own connection (see the module's doc).

        Returns FAILED when that connection fails: the caller then sends it the ordinary way."""
        pool = self._get_connection_pool(False)
        held = getattr(self._reader, "held", None)
        # A forked worker must not share its parent's socket; a new pool (another server) gets its own.
        if held is None or held[0] is not pool or held[1] != os.getpid():
            held = (pool, os.getpid(), pool.connection_class(**pool.connection_kwargs))
            self._reader.held = held
        connection = held[2]
        try:
            connection.send_command(*command)
            return connection.read_response()
        except (redis_exceptions.ConnectionError, redis_exceptions.TimeoutError, OSError):
            connection.disconnect()
            return FAILED
        except BaseException:
            # Whatever is left of this reply must never be read as the reply to the next command.
            connection.disconnect()
            raise

    def get(self, key, default):
        value = self._command("GET", key)
        if value is FAILED:
            return super().get(key, default)
        return default if value is None else self._serializer.loads(value)

    def get_many(self, keys):
        values = self._command("MGET", *keys) if keys else []
        if values is FAILED:
            return super().get_many(keys)
        return {k: self._serializer.loads(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def set(self, key, value, timeout):
        # Only where reads and writes go to the same server; 0 deletes (Django's rule).
        if timeout == 0 or self._get_connection_pool(True) is not self._get_connection_pool(False):
            return super().set(key, value, timeout)
        command = ["SET", key, self._serializer.dumps(value)]
        if timeout is not None:
            command += ["EX", timeout]
        if self._command(*command) is FAILED:
            super().set(key, value, timeout)


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        # Django warns about keys memcached would refuse, by looking at every character of every
        # key on every call; these keys only ever go to Redis.
        pass
