"""Never double-book: many patients submit at once, for one time or for one day with a daily cap
(PostgreSQL only)."""

import logging
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from scheduling import services
from scheduling.models import Appointment, BookingRules
from scheduling.selectors import clinic_date
from scheduling.services import locking
from tests.html import visible_text
from tests.scheduling.factories import booking_data, free_slots, open_every_day
from tests.threads import at_once

THREADS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serializes all writers, so nothing can race",
    ),
]


def post_all_at_once(slots) -> list:
    """POST `slots` (one per thread) from THREADS clients with their own connections, all at once.
    Returns each response's status and visible text."""

    def submit(i):
        client = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")
        data = booking_data(slots[i].start, email=f"patient{i}@example.com", full_name=f"Patient {i}")
        response = client.post("/book/details/", data)
        return response.status_code, visible_text(response.content.decode())

    return at_once(submit, THREADS)


@pytest.fixture
def slot():
    open_every_day()
    return free_slots()[0]


def test_twenty_patients_submitting_one_time_at_once_get_one_booking_and_nineteen_just_taken(slot):
    results = post_all_at_once([slot] * THREADS)

    statuses = [status for status, _ in results]
    assert statuses.count(302) == 1, statuses  # the one confirmation redirects to its page
    assert statuses.count(200) == THREADS - 1, statuses
    assert all(str(services.MSG_TAKEN) in text for status, text in results if status == 200)
    assert Appointment.objects.filter(start=slot.start).count() == 1


def test_control_without_the_lock_the_database_constraint_alone_still_holds(slot, monkeypatch, caplog):
    # Take the lock away and widen the gap between the writes and the commit, so on a busy machine
    # too every thread is inside it: the constraint must stop all but one, and must be what
    # stopped them (proving the harness races).
    monkeypatch.setattr(locking, "lock", lambda *args, **kwargs: None)
    slow_check(monkeypatch)

    with caplog.at_level(logging.INFO, logger="scheduling.services"):
        results = post_all_at_once([slot] * THREADS)

    statuses = [status for status, _ in results]
    assert all(status < 500 for status in statuses), statuses
    assert statuses.count(302) == 1, statuses
    assert Appointment.objects.filter(start=slot.start).count() == 1
    stopped_by_constraint = [r for r in caplog.records if "no-overlap constraint" in r.getMessage()]
    assert stopped_by_constraint, "no two threads reached the insert together: the harness did not race"


def one_day_with_a_daily_cap_of_one():
    """Twenty free times on one day that allows a single booking: only the lock can keep the cap
    (the database's constraint knows nothing about caps)."""
    BookingRules.objects.filter(pk=BookingRules.load().pk).update(daily_cap=1)
    by_day = {}
    for slot in free_slots():
        by_day.setdefault(clinic_date(slot.start), []).append(slot)
    return next(slots[:THREADS] for slots in by_day.values() if len(slots) >= THREADS)


def slow_check(monkeypatch):
    """Widen the gap between the check and the commit."""
    check_slot = locking.check_slot

    def slow_check_slot(**kwargs):
        check_slot(**kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(locking, "check_slot", slow_check_slot)


def test_twenty_patients_booking_different_times_of_a_capped_day_at_once_get_one_booking(db):
    open_every_day()
    slots = one_day_with_a_daily_cap_of_one()

    results = post_all_at_once(slots)

    statuses = [status for status, _ in results]
    assert statuses.count(302) == 1, statuses
    assert statuses.count(200) == THREADS - 1, statuses
    # Each other patient is told the time is gone, or, when the day's lock was held longer than
    # LOCK_TIMEOUT (a slow, loaded machine), that many are booking and to try again: never a 500.
    refusals = [text for status, text in results if status == 200]
    assert all(str(services.MSG_UNAVAILABLE) in text or str(services.MSG_BUSY) in text for text in refusals)
    assert Appointment.objects.count() == 1


def every_check_before_any_commit(monkeypatch):
    """Hold the gap between the check and the commit open until every thread has checked: then
    each check runs before any other booking commits, on any machine, however the threads are
    scheduled. (A sleep only widens the gap; a thread that starts later than the sleep sees the
    first commit, and the control did not race about one run in four.) A thread whose check
    refuses never arrives, and the others' wait ends in BrokenBarrierError: the test fails loudly."""
    check_slot = locking.check_slot
    all_checked = threading.Barrier(THREADS, timeout=20)

    def check_slot_then_wait_for_all(**kwargs):
        check_slot(**kwargs)
        all_checked.wait()

    monkeypatch.setattr(locking, "check_slot", check_slot_then_wait_for_all)


def test_control_without_the_lock_a_capped_day_is_overbooked(db, monkeypatch):
    # The control of the test above: without the lock, threads that check before the others
    # commit all see a free day, so every one books. That the harness overbooks here shows the
    # test above races for real, and that the lock is what keeps the cap.
    open_every_day()
    slots = one_day_with_a_daily_cap_of_one()
    monkeypatch.setattr(locking, "lock", lambda *args, **kwargs: None)
    every_check_before_any_commit(monkeypatch)

    post_all_at_once(slots)

    assert Appointment.objects.count() == THREADS
