"""Changes to a booked meet-and-greet that take no new time: the patient's contact details, a
cancellation (by the patient or the clinic), and how the call went (completed, no-show, or put back
to confirmed). Each in one transaction, on the appointment's row locked."""

import logging
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.audit import Actor, record_by
from clinic.models import AuditEvent
from scheduling import messages
from scheduling.models import Appointment
from scheduling.services.errors import AppointmentNotChangeable

logger = logging.getLogger(__name__)


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
