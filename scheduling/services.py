"""Writes to the booking calendar. Each service owns its transaction.

Never double-book (after pretix, reordered so the lock is held briefly): inside one
transaction, write the change (the appointment and its outbox rows), then lock the clinic days
it touches, then re-check the slot with the slot engine, and commit; a failed check rolls it all
back. The lock comes after the writes but before the check, so it is held only for the check and
the commit: under READ COMMITTED the check sees every booking that held a day's lock before
(committed by then), and every booking after sees this one. The database's own constraints stand
behind the locks, so a bug here still cannot double-book; a lost race becomes SlotTaken, never a
500. Locks are taken in one order (the patient's email before any write, the days after the
writes, in date order), and nothing waits while holding a day lock, so bookings cannot deadlock.
"""

import copy
import logging
import zlib
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic import practice
from clinic.audit import Actor, record_by
from clinic.models import AuditEvent
from scheduling import messages, notifications
from scheduling.models import Appointment, BookingRules
from scheduling.selectors import (
    booking_rules,
    cached_calendar_settings,
    clinic_date,
    nearby_slots,
    slots_on_clinic_day,
)
from scheduling.slots import Interval

logger = logging.getLogger(__name__)

# Refusals a patient reads, in the page's language (staff read them in English: admin is English).
MSG_UNAVAILABLE = _("That time is no longer available. Please choose another time.")
MSG_TAKEN = _("Sorry, that time was just taken by someone else. Please choose another time.")
MSG_BUSY = _(
    "Many people are booking right now, and we could not hold your time. Please try again in a moment."
)
MSG_DUPLICATE = _(
    "You already have an upcoming meet-and-greet booked with this email address. "
    "We have emailed you a private link to see, change or cancel it."
)
# Staff only (the patient's manage pages show what changed instead).
MSG_NOT_CHANGEABLE = "This meet-and-greet can no longer be changed."
# Staff only (admin is in English).
MSG_OUTSIDE_HOURS = (
    "That time is outside the usual hours (weekly hours, time off, the doctor's busy times, the buffer "
    "or how far ahead patients may book). Confirm that you want it anyway."
)
MSG_PAST = "That time has already passed. Please choose a time in the future."
STAFF_DUPLICATE = "This email already has an upcoming meet-and-greet."

# How long a booking waits for the calendar lock before giving up with "busy, try again".
LOCK_TIMEOUT = "3s"


class BookingError(Exception):
    """A refusal with a message for the person who asked."""

    message = MSG_UNAVAILABLE

    def __init__(self, message: str | None = None, *, nearby: list[Interval] | None = None):
        self.message = message or self.message
        self.nearby = nearby or []
        super().__init__(self.message)


class SlotUnavailable(BookingError):
    message = MSG_UNAVAILABLE


class SlotTaken(BookingError):
    message = MSG_TAKEN


class BookingBusy(BookingError):
    message = MSG_BUSY


class DuplicateBooking(BookingError):
    """`existing`: the upcoming appointment this email already has."""

    message = MSG_DUPLICATE

    def __init__(self, message: str | None = None, *, existing: Appointment | None = None):
        super().__init__(message)
        self.existing = existing


class OutsideUsualHours(BookingError):
    """A staff booking of a free time that patients are not offered: needs staff's confirmation."""

    message = MSG_OUTSIDE_HOURS


class AppointmentNotChangeable(BookingError):
    message = MSG_NOT_CHANGEABLE


@dataclass(frozen=True)
class BookingResult:
    appointment: Appointment
    manage_token: str | None


# The fields a booking writes from the booking form (audit events name them, never their values).
BOOKED_FIELDS = ["start", "state", "time_zone", "full_name", "email", "phone", "contact_method", "note"]

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


def _lock(keys: Sequence[tuple[int, int]] = (), *, first: bool = False) -> None:
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


def _save_or_taken(appointment: Appointment) -> None:
    """Insert or update the appointment; SlotTaken when the no-overlap constraint refuses it
    (another booking of that time, not committed yet or just committed).

    No savepoint (two round trips fewer): a refusal ends the caller's whole transaction, which
    Django then rolls back (to the caller's own savepoint, when it is nested in another)."""
    try:
        appointment.save()
    except IntegrityError:
        logger.info("booking refused by the no-overlap constraint at %s", appointment.start.isoformat())
        raise SlotTaken() from None


def _lock_days_and_check(
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
    _lock(day_lock_keys(start=appointment.start, rules=rules))
    _check_slot(
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
def _refusals(*, around: datetime, now: datetime):
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


def _check_slot(
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


def appointment_book(
    *,
    start: datetime,
    state: str,
    time_zone: str,
    full_name: str,
    email: str,
    phone: str,
    contact_method: str,
    note: str = "",
    source: str = Appointment.Source.ONLINE,
    actor: Actor | None = None,
    outside_hours: bool = False,
    language: str | None = None,
    now: datetime | None = None,
) -> BookingResult:
    """Book a meet-and-greet at `start` (an instant the slot engine offers). The patient's
    messages are in `language` (default: the active language, so a booking made on a Spanish page
    gets Spanish emails).

    Side effects, all in one transaction: the appointment row, and its outbox rows
    (confirmation with the manage link, staff alert, reminder). Raises SlotUnavailable,
    SlotTaken (lost a race), BookingBusy (lock wait timed out) or DuplicateBooking (this
    email already has an upcoming booking: its manage link is emailed again, and that is
    committed). Each carries nearby free times where they help.

    A staff `actor` books for a caller: the minimum notice and the daily cap do not bind them;
    a free time patients are not offered raises OutsideUsualHours unless `outside_hours`
    (staff confirmed it), and then any future time that overlaps nothing is booked. A
    duplicate raises DuplicateBooking with `existing` and sends the patient nothing. The audit
    event is written in the same transaction.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    duplicate = None
    # (practice.read_once: the contact details go in every message composed here, read once.)
    with _refusals(around=start, now=now), transaction.atomic(), practice.read_once():
        rules = booking_rules()
        _lock([email_lock_key(email)], first=True)
        duplicate = Appointment.objects.active().upcoming(now).filter(email=email).first()
        if duplicate is not None and actor is not None:
            # Staff see the existing call and may move it; nothing goes to the patient.
            raise DuplicateBooking(STAFF_DUPLICATE, existing=duplicate)
        if duplicate is not None:
            # Only the token's hash is kept, so "emailing the link again" means a fresh link;
            # once per appointment version, so the form cannot flood an inbox.
            if not notifications.manage_link_sent(duplicate):
                token = duplicate.issue_manage_token()
                duplicate.save(update_fields=["manage_token_hash", "updated_at"])
                messages.notify_manage_link(duplicate, manage_token=token)
        else:
            appointment = Appointment(
                start=start,
                end=start + timedelta(minutes=rules.slot_minutes),
                state=state,
                time_zone=time_zone,
                full_name=full_name,
                email=email,
                phone=phone,
                contact_method=contact_method,
                note=note,
                source=source,
                language=messages.patient_language(language),
            )
            token = appointment.issue_manage_token()
            _save_or_taken(appointment)
            messages.notify_booked(appointment, manage_token=token)
            _lock_days_and_check(
                appointment, rules=rules, now=now, staff=actor is not None, outside_hours=outside_hours
            )
            if actor is not None:
                detail = "booked by staff" + (" outside the usual hours" if outside_hours else "")
                record_by(actor, AuditEvent.Action.ADD, obj=appointment, fields=BOOKED_FIELDS, detail=detail)
    if duplicate is not None:
        raise DuplicateBooking(existing=duplicate)
    logger.info("meet-and-greet #%s booked for %s", appointment.pk, start.isoformat())
    return BookingResult(appointment=appointment, manage_token=token)


def appointment_move(
    *,
    appointment: Appointment,
    new_start: datetime,
    manage_token: str | None = None,
    actor: Actor | None = None,
    outside_hours: bool = False,
    now: datetime | None = None,
) -> BookingResult:
    """Move a confirmed, future appointment to `new_start`: the old time is freed and the new one
    taken in one transaction, or nothing changes.

    Pass the patient's `manage_token` when they move it through their link (it stays valid);
    without one (a staff move) the link is renewed and sent in the reschedule email.
    Side effects: version raised, outbox rows for patient and staff; the audit event of a staff
    `actor` (who is bound by the rules as in appointment_book, `outside_hours` included).
    Raises AppointmentNotChangeable, SlotUnavailable, SlotTaken, BookingBusy, OutsideUsualHours.
    """
    now = now or timezone.now()
    with _refusals(around=new_start, now=now), transaction.atomic():
        rules = booking_rules()
        _lock(first=True)
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not locked.is_active or locked.start <= now:
            raise AppointmentNotChangeable()
        previous_start = locked.start
        locked.start, locked.end = new_start, new_start + timedelta(minutes=rules.slot_minutes)
        locked.version += 1
        token = manage_token or locked.issue_manage_token()
        _save_or_taken(locked)
        messages.notify_moved(locked, previous_start=previous_start, manage_token=token)
        _lock_days_and_check(
            locked, rules=rules, now=now, staff=actor is not None, outside_hours=outside_hours
        )
        if actor is not None:
            detail = "rescheduled" + (" outside the usual hours" if outside_hours else "")
            record_by(actor, AuditEvent.Action.ACTION, obj=locked, fields=["start", "end"], detail=detail)
    logger.info("meet-and-greet #%s moved to %s", locked.pk, new_start.isoformat())
    return BookingResult(appointment=locked, manage_token=token)


def appointment_change_contact(
    *,
    appointment: Appointment,
    phone: str,
    contact_method: str,
    manage_token: str,
    actor: Actor,
    now: datetime | None = None,
) -> Appointment:
    """The patient, through their link, corrects their phone number (E.164) or switches between a
    phone and a video call. Nothing is written when nothing changed.

    Side effects, in one transaction: the fields and the version change; the pending reminder says
    the new way to talk; an alert to staff (a time and an admin link, no patient details); an audit
    event for `actor` (the names of the changed fields, never their values). Raises
    AppointmentNotChangeable when the appointment is no longer confirmed or has begun.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not locked.is_active or locked.start <= now:
            raise AppointmentNotChangeable()
        changed = [
            name
            for name, value in (("phone", phone), ("contact_method", contact_method))
            if getattr(locked, name) != value
        ]
        if not changed:
            return locked
        locked.phone, locked.contact_method = phone, contact_method
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
        messages.notify_contact_changed(locked, manage_token=manage_token)
        record_by(
            actor, AuditEvent.Action.CHANGE, obj=locked, fields=changed, detail="changed by the patient"
        )
    logger.info("meet-and-greet #%s: contact details changed (%s)", locked.pk, ", ".join(changed))
    return locked


def appointment_cancel(
    *,
    appointment: Appointment,
    by_clinic: bool,
    message: str = "",
    actor: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel a confirmed appointment (by the patient before it starts, or by the clinic).

    Side effects: status and version change; outbox rows (cancellation with METHOD:CANCEL to
    the patient, alert to staff; pending reminders are withdrawn); an audit event when a staff
    `actor` cancels. `message` is the clinic's optional word to the patient. Raises
    AppointmentNotChangeable.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not locked.is_active or (not by_clinic and locked.start <= now):
            raise AppointmentNotChangeable()
        locked.status = (
            Appointment.Status.CANCELLED_BY_CLINIC if by_clinic else Appointment.Status.CANCELLED_BY_PATIENT
        )
        locked.version += 1
        locked.save(update_fields=["status", "version", "updated_at"])
        messages.notify_cancelled(locked, by_clinic=by_clinic, message=message)
        if actor is not None:
            record_by(
                actor, AuditEvent.Action.ACTION, obj=locked, fields=["status"], detail="cancelled by clinic"
            )
    logger.info("meet-and-greet #%s cancelled (%s)", locked.pk, locked.status)
    return locked


def appointments_cancel_by_clinic(
    *, appointments: Sequence[Appointment], message: str, actor: Actor, now: datetime | None = None
) -> list[Appointment]:
    """Cancel these confirmed appointments for the clinic, all or none, each through
    appointment_cancel (so each patient gets the cancellation email with a METHOD:CANCEL .ics
    and `message`). Joins the caller's transaction when there is one, so a change that strands
    them (time off, hours, rules) is saved together with their cancellation or not at all.

    Raises AppointmentNotChangeable (naming the appointment) when one can no longer be
    cancelled; then nothing is cancelled.
    """
    cancelled = []
    with transaction.atomic():
        for appointment in appointments:
            try:
                cancelled.append(
                    appointment_cancel(
                        appointment=appointment, by_clinic=True, message=message, actor=actor, now=now
                    )
                )
            except AppointmentNotChangeable:
                raise AppointmentNotChangeable(
                    MSG_CANCEL_MANY_FAILED.format(appointment=appointment)
                ) from None
    return cancelled


MSG_CANCEL_MANY_FAILED = (
    "{appointment} can no longer be cancelled (it changed meanwhile), so nothing was saved or cancelled."
)


STAFF_FINAL_STATUSES = {Appointment.Status.COMPLETED, Appointment.Status.NO_SHOW}
STATUS_DETAILS = {
    Appointment.Status.COMPLETED: "marked completed",
    Appointment.Status.NO_SHOW: "marked no-show",
    Appointment.Status.CONFIRMED: "put back to confirmed",
}

MSG_STATUS_CHOICE = "Only “completed” or “no-show” can be set here."
MSG_STATUS_CANCELLED = "A cancelled meet-and-greet cannot be marked completed or no-show."
MSG_STATUS_NOT_STARTED = (
    "A meet-and-greet can be marked completed or no-show only once its start time has passed."
)
MSG_REOPEN_NOT_FINAL = "Only a completed or no-show meet-and-greet can be put back to confirmed."
MSG_REOPEN_TAKEN = (
    "Another confirmed meet-and-greet holds that time now, so this one cannot be confirmed again."
)


def appointment_set_status(
    *, appointment: Appointment, status: str, actor: Actor, now: datetime | None = None
) -> Appointment:
    """Record how a meet-and-greet went: completed or no-show (staff may correct one to the other),
    once its start time has passed: before it, marking would free the time for others and
    withdraw the patient's reminder while the patient still expects the call.

    Side effects, in one transaction: status and version change; pending reminders withdrawn;
    an audit event for `actor`. Raises AppointmentNotChangeable (MSG_STATUS_*) for another
    status, a cancelled appointment, or a call that has not started yet.
    """
    now = now or timezone.now()
    if status not in STAFF_FINAL_STATUSES:
        raise AppointmentNotChangeable(MSG_STATUS_CHOICE)
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status not in {Appointment.Status.CONFIRMED, *STAFF_FINAL_STATUSES}:
            raise AppointmentNotChangeable(MSG_STATUS_CANCELLED)
        if locked.start > now:
            raise AppointmentNotChangeable(MSG_STATUS_NOT_STARTED)
        if locked.status != status:
            _change_status(locked, status, actor=actor)
    return locked


def appointment_reopen(*, appointment: Appointment, actor: Actor, now: datetime | None = None) -> Appointment:
    """Put a wrong completed or no-show back to confirmed (the call's start has passed, so the
    time is offered to nobody and no message goes to the patient).

    Side effects, in one transaction: status and version change; an audit event for `actor`
    (the appointment's history shows it). Raises AppointmentNotChangeable (MSG_REOPEN_*) when
    the appointment is not completed or no-show, when its call has not started yet, or when
    another confirmed appointment holds the time now.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if locked.status not in STAFF_FINAL_STATUSES:
                raise AppointmentNotChangeable(MSG_REOPEN_NOT_FINAL)
            if locked.start > now:
                raise AppointmentNotChangeable(MSG_STATUS_NOT_STARTED)
            _change_status(locked, Appointment.Status.CONFIRMED, actor=actor)
    except IntegrityError:
        raise AppointmentNotChangeable(MSG_REOPEN_TAKEN) from None
    return locked


def _change_status(locked: Appointment, status: str, *, actor: Actor) -> None:
    locked.status = status
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    messages.notify_status_changed(locked)
    record_by(actor, AuditEvent.Action.ACTION, obj=locked, fields=["status"], detail=STATUS_DETAILS[status])
