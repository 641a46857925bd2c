"""Writes that may skip waiting for the disk.

PostgreSQL answers a commit only once its record is flushed to disk (`synchronous_commit`): on
this kind of machine that is 1.5-2 ms for every autocommitted statement, longer than the work
itself. A few writes lose nothing that matters when the last fraction of a second before a
crash is forgotten (the database itself stays consistent; it never half-applies a statement):
a rate-limit count, or the mark that a message went out (forgotten, the message is sent again
once its lease ends: a copy, never a loss). Those run inside `without_waiting_for_disk()`.

Only autocommitted statements are changed: inside a transaction (a booking) the setting would
apply to the whole transaction's commit, which must wait for the disk, so nothing is changed there.
"""

from contextlib import contextmanager

from django.db import connection

# One round trip: a multi-statement query is one implicit transaction, which SET LOCAL applies to.
PREFIX = "SET LOCAL synchronous_commit TO OFF; "


@contextmanager
def without_waiting_for_disk():
    """Autocommitted statements in this block commit without waiting for the disk (PostgreSQL)."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        yield
        return

    def prefixed(execute, sql, params, many, context):
        if many or not context["connection"].get_autocommit():
            return execute(sql, params, many, context)
        return execute(PREFIX + sql, params, many, context)

    with connection.execute_wrapper(prefixed):
        yield
