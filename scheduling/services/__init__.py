"""Writes to the booking calendar. Each service owns its transaction, writes its messages to the
outbox in it (`scheduling.messages`) and, for a staff actor, its audit event.

- `booking`: book a meet-and-greet, move it to another time (the changes that take a time);
- `locking`: how those never double-book (locks, the re-check, the constraint behind them);
- `changes`: contact details, cancellations, how the call went;
- `errors`: what the services refuse with, and the words each refusal gives.

Callers use the names below (`services.appointment_book`, `services.SlotTaken`...).
"""

from scheduling.services.booking import BOOKED_FIELDS, BookingResult, appointment_book, appointment_move
from scheduling.services.changes import (
    MSG_CANCEL_MANY_FAILED,
    MSG_REOPEN_NOT_FINAL,
    MSG_REOPEN_TAKEN,
    MSG_STATUS_CANCELLED,
    MSG_STATUS_CHOICE,
    MSG_STATUS_NOT_STARTED,
    STAFF_FINAL_STATUSES,
    STATUS_DETAILS,
    appointment_cancel,
    appointment_change_contact,
    appointment_reopen,
    appointment_set_status,
    appointments_cancel_by_clinic,
)
from scheduling.services.errors import (
    MSG_BUSY,
    MSG_DUPLICATE,
    MSG_NOT_CHANGEABLE,
    MSG_OUTSIDE_HOURS,
    MSG_PAST,
    MSG_TAKEN,
    MSG_UNAVAILABLE,
    STAFF_DUPLICATE,
    AppointmentNotChangeable,
    BookingBusy,
    BookingError,
    DuplicateBooking,
    OutsideUsualHours,
    SlotTaken,
    SlotUnavailable,
)
from scheduling.services.locking import DAY_LOCK, EMAIL_LOCK, day_lock_keys, email_lock_key, staff_rules

__all__ = [
    "BOOKED_FIELDS",
    "DAY_LOCK",
    "EMAIL_LOCK",
    "MSG_BUSY",
    "MSG_CANCEL_MANY_FAILED",
    "MSG_DUPLICATE",
    "MSG_NOT_CHANGEABLE",
    "MSG_OUTSIDE_HOURS",
    "MSG_PAST",
    "MSG_REOPEN_NOT_FINAL",
    "MSG_REOPEN_TAKEN",
    "MSG_STATUS_CANCELLED",
    "MSG_STATUS_CHOICE",
    "MSG_STATUS_NOT_STARTED",
    "MSG_TAKEN",
    "MSG_UNAVAILABLE",
    "STAFF_DUPLICATE",
    "STAFF_FINAL_STATUSES",
    "STATUS_DETAILS",
    "AppointmentNotChangeable",
    "BookingBusy",
    "BookingError",
    "BookingResult",
    "DuplicateBooking",
    "OutsideUsualHours",
    "SlotTaken",
    "SlotUnavailable",
    "appointment_book",
    "appointment_cancel",
    "appointment_change_contact",
    "appointment_move",
    "appointment_reopen",
    "appointment_set_status",
    "appointments_cancel_by_clinic",
    "day_lock_keys",
    "email_lock_key",
    "staff_rules",
]
