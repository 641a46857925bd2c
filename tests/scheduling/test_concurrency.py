"""Never double-book: many patients submit the same time at once (PostgreSQL only)."""

import logging
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from scheduling import services
from scheduling.models import Appointment, BookingRules
from tests.html import visible_text
from tests.scheduling.factories import booking_data, free_slots, open_every_day

THREADS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serializes all writers, so nothing can race",
    ),
]


def post_all_at_once(slot) -> list:
    """POST the same slot from THREADS clients with their own connections, started by a barrier."""
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def submit(i):
        client = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")
        data = booking_data(slot.start, email=f"patient{i}@example.com", full_name=f"Patient {i}")
        try:
            barrier.wait()
            response = client.post("/book/details/", data)
            results[i] = (response.status_code, visible_text(response.content.decode()))
        except Exception as exc:  # a crash in a thread must fail the test, not vanish
            results[i] = (599, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def slot():
    open_every_day()
    return free_slots()[0]


def test_twenty_patients_submitting_one_time_at_once_get_one_booking_and_nineteen_just_taken(slot):
    results = post_all_at_once(slot)

    statuses = [status for status, _ in results]
    assert statuses.count(302) == 1, statuses  # the one confirmation redirects to its page
    assert statuses.count(200) == THREADS - 1, statuses
    assert all(services.MSG_TAKEN in text for status, text in results if status == 200)
    assert Appointment.objects.filter(start=slot.start).count() == 1


def test_control_without_the_lock_the_database_constraint_alone_still_holds(slot, monkeypatch, caplog):
    # Take the lock away: every thread re-checks at once and tries to insert. Some must reach the
    # insert together (proving the harness races), and the constraint must stop all but one.
    monkeypatch.setattr(services, "_lock_calendar", lambda **kwargs: BookingRules.load())
    # Widen the gap between check and insert, so on a busy machine too every thread is inside it.
    check_slot = services._check_slot

    def slow_check_slot(**kwargs):
        end = check_slot(**kwargs)
        time.sleep(0.3)
        return end

    monkeypatch.setattr(services, "_check_slot", slow_check_slot)

    with caplog.at_level(logging.WARNING, logger="scheduling.services"):
        results = post_all_at_once(slot)

    statuses = [status for status, _ in results]
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(302) == 1, statuses
    assert Appointment.objects.filter(start=slot.start).count() == 1
    stopped_by_constraint = [r for r in caplog.records if "no-overlap constraint" in r.getMessage()]
    assert stopped_by_constraint, "no two threads reached the insert together: the harness did not race"
