"""Booking a meet-and-greet and moving it to another time: the two changes that take a time, each
in one transaction under the locks and re-check of `scheduling.services.locking`."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from clinic import practice
from clinic.audit import Actor, record_by
from clinic.models import AuditEvent
from scheduling import messages, notifications
from scheduling.models import Appointment
from scheduling.selectors import booking_rules
from scheduling.services import locking
from scheduling.services.errors import STAFF_DUPLICATE, AppointmentNotChangeable, DuplicateBooking

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BookingResult:
    appointment: Appointment
    manage_token: str | None


# The fields a booking writes from the booking form (audit events name them, never their values).
BOOKED_FIELDS = ["start", "state", "time_zone", "full_name", "email", "phone", "contact_method", "note"]


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
    with locking.refusals(around=start, now=now), transaction.atomic(), practice.read_once():
        rules = booking_rules()
        locking.lock([locking.email_lock_key(email)], first=True)
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
            locking.save_or_taken(appointment)
            messages.notify_booked(appointment, manage_token=token)
            locking.lock_days_and_check(
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
    with locking.refusals(around=new_start, now=now), transaction.atomic():
        rules = booking_rules()
        locking.lock(first=True)
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not locked.is_active or locked.start <= now:
            raise AppointmentNotChangeable()
        previous_start = locked.start
        locked.start, locked.end = new_start, new_start + timedelta(minutes=rules.slot_minutes)
        locked.version += 1
        token = manage_token or locked.issue_manage_token()
        locking.save_or_taken(locked)
        messages.notify_moved(locked, previous_start=previous_start, manage_token=token)
        locking.lock_days_and_check(
            locked, rules=rules, now=now, staff=actor is not None, outside_hours=outside_hours
        )
        if actor is not None:
            detail = "rescheduled" + (" outside the usual hours" if outside_hours else "")
            record_by(actor, AuditEvent.Action.ACTION, obj=locked, fields=["start", "end"], detail=detail)
    logger.info("meet-and-greet #%s moved to %s", locked.pk, new_start.isoformat())
    return BookingResult(appointment=locked, manage_token=token)
