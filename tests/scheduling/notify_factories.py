"""Helpers for the notification tests: appointments with recognisable personal data, and
email backends that fail or are slow, to test what the outbox does about them."""

import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from scheduling import messages
from scheduling.models import Appointment

# Personal data that must never show up in a subject, a staff email or a log line.
NAME = "Zelda Quixotewright"
EMAIL = "zelda.quixotewright@example.org"
PHONE = "+12125550187"
NOTE = "Private note: naltrexone question about relapse"
PERSONAL_DATA = [NAME, EMAIL, PHONE, NOTE, "naltrexone", "relapse", "Quixotewright"]

_counter = iter(range(1, 10_000))


def in_days(days: float, *, hour: int | None = None) -> datetime:
    """A start `days` from now (UTC), on a 10-minute boundary, unique per call when hour is None."""
    start = timezone.now() + timedelta(days=days)
    start = start.replace(minute=0, second=0, microsecond=0)
    if hour is not None:
        return start.replace(hour=hour)
    return start + timedelta(minutes=10 * (next(_counter) % 500))


def make_appointment(*, start: datetime | None = None, **fields) -> Appointment:
    start = start or in_days(5)
    values = {
        "start": start,
        "end": start + timedelta(minutes=10),
        "full_name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "state": "CA",
        "time_zone": "America/Los_Angeles",
        "contact_method": "phone",
        "note": NOTE,
        **fields,
    }
    return Appointment.objects.create(**values)


def book(**fields) -> tuple[Appointment, str]:
    """What the booking service does for the outbox: appointment, token and notify_booked in one
    transaction; then, as in a request, the after-commit send."""
    with as_a_request():
        appointment = make_appointment(**fields)
        token = appointment.issue_manage_token()
        appointment.save()
        messages.notify_booked(appointment, manage_token=token)
    return appointment, token


def cancel(appointment: Appointment, *, by_clinic: bool = False, message: str = "") -> None:
    with as_a_request():
        appointment.status = (
            Appointment.Status.CANCELLED_BY_CLINIC if by_clinic else Appointment.Status.CANCELLED_BY_PATIENT
        )
        appointment.version += 1
        appointment.save()
        messages.notify_cancelled(appointment, by_clinic=by_clinic, message=message)


def move(appointment: Appointment, new_start: datetime, *, manage_token: str | None) -> None:
    with as_a_request():
        previous = appointment.start
        appointment.start = new_start
        appointment.end = new_start + timedelta(minutes=10)
        appointment.version += 1
        appointment.save()
        messages.notify_moved(appointment, previous_start=previous, manage_token=manage_token)


@contextmanager
def as_a_request():
    """One transaction, then its after-commit callbacks (the request's own send), as a service
    call in a request runs. The test's own transaction never commits, so they are run here."""
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        yield


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class DownBackend(BaseEmailBackend):
    """A mail server that refuses connections."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class SlowBackend(LocmemBackend):
    """locmem, but each send takes a moment, so concurrent workers overlap for real."""

    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(0.02)
        with self.lock:
            return super().send_messages(messages)


def outbox_for(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]
