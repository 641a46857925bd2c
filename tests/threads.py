"""Run one function in several threads at once, as concurrent requests or workers do."""

import threading

from django.db import connection


def at_once(function, count: int) -> list:
    """Call function(index) in `count` threads released together by a barrier, each closing its
    own database connection. Returns the results in index order; an exception in any thread is
    raised here, so it fails the test instead of vanishing."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = function(index)
        except Exception as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results
