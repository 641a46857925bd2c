"""clinic.db.without_waiting_for_disk: only autocommitted statements skip the wait for the disk."""

import pytest
from django.db import connection, transaction

from clinic.db import without_waiting_for_disk

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting"),
]


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('synchronous_commit')")
        return cursor.fetchone()[0]


def test_an_autocommitted_statement_in_the_block_does_not_wait_and_the_next_one_does():
    with without_waiting_for_disk():
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"


def test_a_transaction_such_as_a_booking_always_waits_for_the_disk():
    with transaction.atomic():
        with without_waiting_for_disk():
            assert synchronous_commit() == "on"
        assert synchronous_commit() == "on"
    with without_waiting_for_disk(), transaction.atomic():
        assert synchronous_commit() == "on"
