"""Small helpers to build booking data for tests."""

import time as clock
from datetime import UTC, datetime, time, timedelta

from django.core import signing

from scheduling import selectors
from scheduling.models import Appointment, WeeklyHours
from scheduling.public.forms import FORM_TOKEN_SALT


def open_every_day(start: time = time(9), end: time = time(17)) -> None:
    """Weekly hours on all seven days, so tests do not depend on today's weekday."""
    WeeklyHours.objects.bulk_create(
        WeeklyHours(weekday=day, start_time=start, end_time=end) for day in range(7)
    )


def free_slots(tz: str = "America/New_York", days: int = 14):
    today = datetime.now(UTC).date()
    return selectors.patient_slots(tz=tz, start=today, days=days)


def form_token(age_seconds: float = 10) -> str:
    """A booking form token as if the form had been opened `age_seconds` ago."""
    return signing.dumps(clock.time() - age_seconds, salt=FORM_TOKEN_SALT)


def booking_data(start: datetime, *, state: str = "NY", tz: str = "America/New_York", **overrides) -> dict:
    data = {
        "state": state,
        "time_zone": tz,
        "start": start.isoformat(),
        "full_name": "Ana Lucía Pérez",
        "email": "ana@example.com",
        "phone": "(212) 555-0143",
        "contact_method": "phone",
        "note": "",
        "confirm_residence": "on",
        "confirm_not_emergency": "on",
        "website": "",
        "form_token": form_token(),
    }
    data.update(overrides)
    return data


def make_appointment(start: datetime | None = None, **fields) -> Appointment:
    start = start or datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    values = {
        "end": start + timedelta(minutes=10),
        "status": Appointment.Status.CONFIRMED,
        "full_name": "Test Patient",
        "email": f"patient{Appointment.objects.count() + 1}@example.com",
        "phone": "+12125550143",
        "state": "NY",
        "time_zone": "America/New_York",
        "contact_method": "phone",
    }
    values.update(fields)
    return Appointment.objects.create(start=start, **values)
