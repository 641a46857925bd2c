"""clinic.cache: the Redis backend production uses (against the real Redis server), and versioned entries."""

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


@pytest.mark.django_db
def test_a_versioned_entry_is_built_once_and_dropped_by_a_new_version():
    from clinic import cache as versioned

    builds = []

    def build():
        builds.append(1)
        return {"slots": len(builds)}

    first = versioned.get_or_build(version_key="t:version", key="t:entry", build=build, timeout=60)
    again = versioned.get_or_build(version_key="t:version", key="t:entry", build=build, timeout=60)
    versioned.new_version("t:version")
    rebuilt = versioned.get_or_build(version_key="t:version", key="t:entry", build=build, timeout=60)

    assert first == again == {"slots": 1}
    assert rebuilt == {"slots": 2}


@pytest.mark.django_db(transaction=True)
def test_a_new_version_is_made_again_at_commit_so_an_entry_built_meanwhile_from_old_rows_is_dropped():
    from django.db import transaction

    from clinic import cache as versioned

    with transaction.atomic():
        versioned.new_version("t:version")
        # Another server, reading the rows from before this commit, stores what it built.
        version, _ = versioned.lookup("t:version", "t:entry")
        versioned.store("t:entry", version, "built from old rows", 60)
        assert versioned.lookup("t:version", "t:entry")[1] == "built from old rows"

    assert versioned.lookup("t:version", "t:entry")[1] is versioned.MISS


def test_reads_go_over_the_threads_own_connection_and_survive_a_dropped_one(redis_cache):
    """Cache reads (one per cached page) skip the pool's checkout and retry machinery; a connection
    the server dropped is closed and the read made again the ordinary way, never an error."""
    import socket
    import threading

    redis_cache.set("page", "v1", 60)
    assert redis_cache.get_many(["page", "missing"]) == {"page": "v1"}
    assert redis_cache.get("missing", "default") == "default"
    connection = redis_cache._cache._reader.held[2]
    assert redis_cache.get("page") == "v1"
    assert redis_cache._cache._reader.held[2] is connection

    connection._sock.shutdown(socket.SHUT_RDWR)  # as when Redis restarts
    assert redis_cache.get("page") == "v1"
    assert redis_cache.get_many(["page"]) == {"page": "v1"}

    # Versions and entries are written over it too, with or without an expiry.
    client = redis_cache._cache.get_client()
    redis_cache._cache.get_client = None  # the pool's client is not used for these
    redis_cache.set("forever", "v2", None)
    redis_cache.set("minute", "v3", 60)
    redis_cache.set("counter", 7, 60)
    values = redis_cache.get_many(["forever", "minute", "counter"])
    del redis_cache._cache.get_client
    assert values == {"forever": "v2", "minute": "v3", "counter": 7}
    assert client.ttl(redis_cache.make_key("forever")) == -1
    assert 0 < client.ttl(redis_cache.make_key("minute")) <= 60
    assert redis_cache.incr("counter") == 8
    redis_cache.set("minute", "gone", 0)
    assert redis_cache.get("minute") is None

    # Each thread reads over a connection of its own.
    seen = {}

    def read():
        seen["value"] = redis_cache.get("page")
        seen["connection"] = redis_cache._cache._reader.held[2]

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen["value"] == "v1"
    assert seen["connection"] is not redis_cache._cache._reader.held[2]


def test_a_read_interrupted_midway_never_leaves_its_reply_for_the_next_read(redis_cache, monkeypatch):
    redis_cache.set("a", "first", 60)
    redis_cache.set("b", "second", 60)
    assert redis_cache.get("a") == "first"
    connection = redis_cache._cache._reader.held[2]

    def interrupted():
        raise KeyboardInterrupt  # e.g. a worker's timeout, after the command was sent

    monkeypatch.setattr(connection, "read_response", interrupted)
    with pytest.raises(KeyboardInterrupt):
        redis_cache.get("a")
    monkeypatch.undo()

    assert redis_cache.get("b") == "second"


def test_redis_replies_are_parsed_in_c():
    """hiredis (requirements.txt) is what redis-py parses every cache reply with, when installed."""
    from redis.utils import HIREDIS_AVAILABLE

    assert HIREDIS_AVAILABLE
