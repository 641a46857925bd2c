"""The Redis cache backend production uses (clinic.cache), against the real Redis server."""

import pytest

from clinic.cache import RedisCache


@pytest.fixture
def redis_cache():
    cache = RedisCache("redis://127.0.0.1:6379/9", {})
    cache.clear()
    yield cache
    cache.clear()


def test_values_round_trip_and_one_client_serves_every_call(redis_cache):
    redis_cache.set("page", ("v1", b"<html>", "text/html"), 60)
    redis_cache.set("counter", 1, 60)

    assert redis_cache.get("page") == ("v1", b"<html>", "text/html")
    assert redis_cache.get_many(["page", "missing"]) == {"page": ("v1", b"<html>", "text/html")}
    assert redis_cache.incr("counter") == 2
    assert redis_cache.add("counter", 5) is False
    # Django would build a new redis client for each of these calls; this backend keeps one.
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client


def test_a_deleted_or_expired_value_is_gone(redis_cache):
    redis_cache.set("gone", 1, 60)
    redis_cache.delete("gone")
    redis_cache.set("never", 1, 0)

    assert redis_cache.get("gone") is None
    assert redis_cache.get("never", "default") == "default"
