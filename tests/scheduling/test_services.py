import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from clinic.audit import Actor
from scheduling import services
from scheduling.models import Appointment, BookingRules
from scheduling.services import locking
from tests.scheduling.factories import free_slots, make_appointment, open_every_day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hours():
    open_every_day()


def book(slot, **overrides):
    values = {
        "start": slot.start,
        "state": "TX",
        "time_zone": "America/Chicago",
        "full_name": "Sam Rivera",
        "email": "sam@example.com",
        "phone": "+12125550143",
        "contact_method": "video",
    }
    values.update(overrides)
    return services.appointment_book(**values)


def test_booking_stores_the_appointment_with_a_hashed_manage_token():
    slot = free_slots()[0]

    result = book(slot)

    appointment = Appointment.objects.get()
    assert appointment == result.appointment
    assert (appointment.start, appointment.end) == (slot.start, slot.end)
    assert appointment.status == Appointment.Status.CONFIRMED
    assert len(result.manage_token) >= 22  # at least 128 bits
    assert result.manage_token not in appointment.manage_token_hash
    assert Appointment.for_manage_token(result.manage_token) == appointment


def test_booking_inside_minimum_notice_is_refused_with_nearby_times():
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)

    with pytest.raises(services.SlotUnavailable) as refused:
        book(type("Slot", (), {"start": soon})())

    assert refused.value.message == services.MSG_UNAVAILABLE
    assert refused.value.nearby
    assert Appointment.objects.count() == 0


def test_booking_a_taken_time_is_just_taken():
    slot = free_slots()[0]
    make_appointment(start=slot.start, end=slot.end)

    with pytest.raises(services.SlotTaken):
        book(slot)


def test_booking_next_to_a_taken_time_respects_the_buffer():
    slots = free_slots()
    book(slots[0], email="first@example.com")
    inside_buffer = type("Slot", (), {"start": slots[0].end + timedelta(minutes=2)})()

    with pytest.raises(services.SlotUnavailable):
        book(inside_buffer)


def test_a_second_upcoming_booking_for_the_same_email_renews_the_emailed_link_and_books_nothing():
    first = book(free_slots()[0])

    with pytest.raises(services.DuplicateBooking):
        book(free_slots()[3], email="SAM@example.com ")

    assert Appointment.objects.count() == 1
    assert Appointment.for_manage_token(first.manage_token) is None  # the new link replaced it


def test_a_past_booking_does_not_block_a_new_one_for_the_same_email():
    make_appointment(start=timezone.now() - timedelta(days=2), email="sam@example.com")

    book(free_slots()[0])

    assert Appointment.objects.count() == 2


def test_moving_frees_the_old_time_and_takes_the_new_one():
    slots = free_slots()
    result = book(slots[0])

    moved = services.appointment_move(appointment=result.appointment, new_start=slots[4].start)

    assert moved.appointment.start == slots[4].start
    assert moved.appointment.version == 2
    assert moved.manage_token != result.manage_token  # staff move: a fresh link goes out
    assert slots[0].start in [s.start for s in free_slots()]


def test_moving_onto_a_taken_time_is_refused_and_keeps_the_original():
    slots = free_slots()
    result = book(slots[0])
    make_appointment(start=slots[4].start, end=slots[4].end)

    with pytest.raises(services.SlotTaken):
        services.appointment_move(appointment=result.appointment, new_start=slots[4].start)

    result.appointment.refresh_from_db()
    assert result.appointment.start == slots[0].start
    assert result.appointment.version == 1


def test_moving_a_cancelled_or_past_appointment_is_refused():
    cancelled = make_appointment(status=Appointment.Status.CANCELLED_BY_PATIENT)
    past = make_appointment(start=timezone.now() - timedelta(hours=1))

    for appointment in (cancelled, past):
        with pytest.raises(services.AppointmentNotChangeable):
            services.appointment_move(appointment=appointment, new_start=free_slots()[0].start)


def test_a_patient_cancels_once_and_the_time_is_free_again():
    slot = free_slots()[0]
    result = book(slot)

    cancelled = services.appointment_cancel(appointment=result.appointment, by_clinic=False)

    assert cancelled.status == Appointment.Status.CANCELLED_BY_PATIENT
    assert cancelled.version == 2
    assert slot.start in [s.start for s in free_slots()]
    with pytest.raises(services.AppointmentNotChangeable):
        services.appointment_cancel(appointment=result.appointment, by_clinic=False)


def test_a_patient_cannot_cancel_after_the_start_but_the_clinic_can():
    started = make_appointment(start=timezone.now() - timedelta(minutes=5))

    with pytest.raises(services.AppointmentNotChangeable):
        services.appointment_cancel(appointment=started, by_clinic=False)
    assert services.appointment_cancel(appointment=started, by_clinic=True).status == "cancelled_by_clinic"


def test_staff_record_completed_or_no_show_but_not_for_a_cancelled_appointment():
    appointment = make_appointment()
    cancelled = make_appointment(status=Appointment.Status.CANCELLED_BY_CLINIC)
    after = appointment.start + timedelta(minutes=15)
    staff = Actor(user=None)

    def mark(appointment, status):
        return services.appointment_set_status(appointment=appointment, status=status, actor=staff, now=after)

    assert mark(appointment, "completed").status == "completed"
    assert mark(appointment, "no_show").status == "no_show"
    with pytest.raises(services.AppointmentNotChangeable):
        mark(cancelled, "completed")
    with pytest.raises(services.AppointmentNotChangeable):
        mark(appointment, "confirmed")


@contextmanager
def another_booking_holding_the_day_of(start):
    """Another booking's transaction, in its own thread, holding the lock of `start`'s clinic day
    until the block ends."""
    holding, release = threading.Event(), threading.Event()

    def hold_the_day():
        with transaction.atomic(), connection.cursor() as cursor:
            namespace, day = services.day_lock_keys(start=start, rules=BookingRules.load())[0]
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, day])
            holding.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_day)
    holder.start()
    holding.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock_timeout is PostgreSQL's")
def test_a_booking_that_waits_too_long_for_the_lock_is_busy_not_an_error(monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    slot = free_slots()[0]

    with another_booking_holding_the_day_of(slot.start), pytest.raises(services.BookingBusy) as busy:
        book(slot)

    assert busy.value.message == services.MSG_BUSY
    assert Appointment.objects.count() == 0  # its rows, written before the lock, rolled back


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_a_booking_on_another_day_does_not_wait_for_a_busy_day(monkeypatch):
    monkeypatch.setattr(locking, "LOCK_TIMEOUT", "200ms")
    slots = free_slots()
    busy_day, other_day = slots[0], next(s for s in slots if s.start.date() != slots[0].start.date())

    with another_booking_holding_the_day_of(busy_day.start):
        result = book(other_day)

    assert result.appointment.start == other_day.start


def test_lock_keys_cover_each_day_the_slot_and_its_buffers_touch_and_the_email():
    rules = BookingRules.load()
    # 23:58 clinic time: the slot and its buffer run into the next day.
    late = timezone.make_aware(datetime(2026, 12, 1, 23, 58))

    keys = services.day_lock_keys(start=late, rules=rules)

    assert keys == [
        (services.DAY_LOCK, date(2026, 12, 1).toordinal()),
        (services.DAY_LOCK, date(2026, 12, 2).toordinal()),
    ]
    assert services.email_lock_key("sam@example.com")[0] == services.EMAIL_LOCK
    assert services.email_lock_key("sam@example.com") != services.email_lock_key("kim@example.com")


@pytest.mark.django_db
def test_a_booking_reads_the_calendars_settings_before_it_takes_the_day_locks(monkeypatch):
    """Every other booking of the day waits while one holds the day's lock: the settings (cached,
    never changed by bookings) are read before it, so the lock is held for the check alone."""
    from clinic import cache as versioned

    open_every_day()
    slot = free_slots()[0]
    events = []
    lock, lookup = locking.lock, versioned.lookup

    def recording_lock(keys=(), **kwargs):
        if any(namespace == locking.DAY_LOCK for namespace, _ in keys):
            events.append("day lock")
        return lock(keys, **kwargs)

    def recording_lookup(version_key, key):
        if key.startswith("scheduling:calendar:"):
            events.append("calendar settings")
        return lookup(version_key, key)

    monkeypatch.setattr(locking, "lock", recording_lock)
    monkeypatch.setattr(versioned, "lookup", recording_lookup)

    services.appointment_book(
        start=slot.start,
        state="NY",
        time_zone="America/New_York",
        full_name="Ada Lovelace",
        email="ada@example.com",
        phone="+12125550123",
        contact_method="phone",
    )

    assert events == ["calendar settings", "day lock"]
