"""Django's Redis cache backend, reusing one redis client per connection pool.

Django builds a new `redis.Redis` for every cache operation, and redis-py 8 fills in its table of
response callbacks (about 170 entries) each time: a fifth of what serving a cached page costs.
A client is safe to share between threads (each command takes a connection from the pool), so
one per pool is enough.
"""

from django.core.cache.backends import redis as django_redis


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
