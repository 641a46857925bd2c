"""What the booking services refuse with, and the words each refusal gives the person who asked.

Refusals a patient reads are in the page's language (gettext_lazy); staff read theirs in English
(admin is in English).
"""

from django.utils.translation import gettext_lazy as _

from scheduling.models import Appointment
from scheduling.slots import Interval

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
