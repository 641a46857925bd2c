"""Never double-book: the locks, the re-check and the constraint behind them.

(After pretix, reordered so the lock is held briefly.) Inside one transaction a booking or a move
writes its change (the appointment and its outbox rows), then locks the clinic days it touches,
then re-checks the slot with the slot engine, and commits; a failed check rolls it all back. The
lock comes after the writes but before the check, so it is held only for the check and the commit:
under READ COMMITTED the check sees every booking that held a day's lock before (committed by
then), and every booking after sees this one. The database's own constraints stand behind the
locks, so a bug here still cannot double-book; a lost race becomes SlotTaken, never a 500. Locks
are taken in one order (the patient's email before any write, the days after the writes, in date
order), and nothing waits while holding a day lock, so bookings cannot deadlock.
"""

import copy
import logging
import zlib
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, connection

from scheduling.models import Appointment, BookingRules
from scheduling.selectors import cached_calendar_settings, clinic_date, nearby_slots, slots_on_clinic_day
from scheduling.services.errors import (
    MSG_PAST,
    AppointmentNotChangeable,
    BookingBusy,
    BookingError,
    DuplicateBooking,
    OutsideUsualHours,
    SlotTaken,
    SlotUnavailable,
)

logger = logging.getLogger(__name__)

# How long a booking waits for the calendar lock before giving up with "busy, try again".
LOCK_TIMEOUT = "3s"

# Namespaces of PostgreSQL advisory locks (their first key): a clinic day, a patient's email.
DAY_LOCK = 7301
EMAIL_LOCK = 7302


def email_lock_key(email: str) -> tuple[int, int]:
    """The advisory lock of a patient's email (one upcoming booking each)."""
    digest = zlib.crc32(email.encode())
    return EMAIL_LOCK, digest - 2**32 if digest >= 2**31 else digest


def day_lock_keys(*, start: datetime, rules: BookingRules) -> list[tuple[int, int]]:
    """The advisory locks of every clinic day a slot at `start` and its buffers touch, in order."""
    margin = timedelta(minutes=rules.buffer_minutes)
    first = clinic_date(start - margin)
    last = clinic_date(start + timedelta(minutes=rules.slot_minutes) + margin)
    return [(DAY_LOCK, first.toordinal() + n) for n in range((last - first).days + 1)]


def lock(keys: Sequence[tuple[int, int]] = (), *, first: bool = False) -> None:
    """Take these advisory locks, in one round trip. `first`: this is the transaction's first
    statement that may wait, so it also bounds every wait of the transaction (for locks, and for
    another booking's uncommitted row) by LOCK_TIMEOUT.

    On SQLite there is nothing to take: it lets one writer in at a time anyway.
    """
    if connection.vendor != "postgresql":
        return
    sql = f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';" if first else ""
    sql += "SELECT pg_advisory_xact_lock(%s, %s);" * len(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, [number for key in keys for number in key])


def save_or_taken(appointment: Appointment) -> None:
    """Insert or update the appointment; SlotTaken when the no-overlap constraint refuses it
    (another booking of that time, not committed yet or just committed).

    No savepoint (two round trips fewer): a refusal ends the caller's whole transaction, which
    Django then rolls back (to the caller's own savepoint, when it is nested in another)."""
    try:
        appointment.save()
    except IntegrityError:
        logger.info("booking refused by the no-overlap constraint at %s", appointment.start.isoformat())
        raise SlotTaken() from None


def lock_days_and_check(
    appointment: Appointment,
    *,
    rules: BookingRules,
    now: datetime,
    staff: bool = False,
    outside_hours: bool = False,
) -> None:
    """The last step of a booking or a move, after its writes: lock the clinic days its slot
    touches, then re-check the slot (see the module docstring for why in this order)."""
    # The calendar's settings are read before the locks: bookings never change them, and every
    # booking of the day waits while this one holds its lock.
    day = clinic_date(appointment.start)
    calendar = cached_calendar_settings(first_day=day, last_day=day)
    lock(day_lock_keys(start=appointment.start, rules=rules))
    check_slot(
        appointment=appointment,
        rules=rules,
        now=now,
        staff=staff,
        outside_hours=outside_hours,
        calendar=calendar,
    )


def _is_lock_timeout(exc: OperationalError) -> bool:
    return getattr(getattr(exc, "__cause__", None), "pgcode", None) == "55P03"  # lock_not_available


@contextmanager
def refusals(*, around: datetime, now: datetime):
    """What a booking or move transaction can refuse with, as the patient is told it: the time is
    gone (with nearby free times), or the calendar is too busy right now (a lock wait timed out)."""
    try:
        yield
    except (AppointmentNotChangeable, DuplicateBooking, OutsideUsualHours):
        raise
    except BookingError as error:
        raise _with_nearby(error, around=around, now=now) from None
    except OperationalError as exc:
        if _is_lock_timeout(exc):
            raise BookingBusy() from None
        raise


def staff_rules(rules: BookingRules) -> BookingRules:
    """The rules as they bind staff booking for a caller: the minimum notice and the daily cap
    are for patients (an unsaved copy; the stored rules are unchanged)."""
    relaxed = copy.copy(rules)
    relaxed.minimum_notice_hours, relaxed.daily_cap = 0, None
    return relaxed


def check_slot(
    *,
    appointment: Appointment,
    rules: BookingRules,
    now: datetime,
    staff: bool = False,
    outside_hours: bool = False,
    calendar: tuple | None = None,
) -> None:
    """Raise unless the appointment's start is a slot the engine offers right now, leaving the
    appointment itself out (it is written already).

    `staff`: under the staff rules (no notice, no cap); a free time the engine does not offer
    raises OutsideUsualHours. `outside_hours` (staff confirmed it): any future time that
    overlaps no confirmed appointment. Never an overlap, for anyone.
    """
    start = appointment.start
    taken = Appointment.objects.active().overlapping(start, appointment.end).exclude(pk=appointment.pk)
    if outside_hours:
        if start <= now:
            raise SlotUnavailable(MSG_PAST)
        if taken.exists():
            raise SlotTaken()
        return
    checked_rules = staff_rules(rules) if staff else rules
    # The taken times fresh (under the day locks), the settings as of their last change.
    offered = slots_on_clinic_day(
        day=clinic_date(start),
        now=now,
        rules=checked_rules,
        exclude_pk=appointment.pk,
        settings_from_cache=True,
        calendar=calendar,
    )
    if any(slot.start == start and slot.end == appointment.end for slot in offered):
        return
    if taken.exists():
        raise SlotTaken()
    if staff:
        raise SlotUnavailable(MSG_PAST) if start <= now else OutsideUsualHours()
    raise SlotUnavailable()


def _with_nearby(error: BookingError, *, around: datetime, now: datetime) -> BookingError:
    error.nearby = [s for s in nearby_slots(around=around, now=now) if s.start != around]
    return error
