"""Staff booking outside the usual hours still cannot overlap: the same day locks, re-check and
database constraint hold when several staff book overlapping times at once (PostgreSQL only)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from clinic.audit import Actor
from scheduling import services
from scheduling.models import Appointment
from tests.scheduling import admin_factories as f
from tests.threads import at_once

THREADS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serializes all writers, so nothing can race",
    ),
]


def test_staff_booking_same_day_outside_hours_at_once_gets_one_call_and_no_overlap():
    # No weekly hours at all: every time is outside the usual hours, an hour from now.
    user = f.scheduling_staff()
    base = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    # Each thread a different start within one 10-minute call: all overlap the first.
    starts = [base + timedelta(minutes=i) for i in range(THREADS)]

    def book(i):
        try:
            services.appointment_book(
                start=starts[i],
                state="NY",
                time_zone="America/New_York",
                full_name=f"Caller {i}",
                email=f"caller{i}@example.org",
                phone="+12125550100",
                contact_method="phone",
                source=Appointment.Source.STAFF,
                actor=Actor(user=user),
                outside_hours=True,
            )
        except services.SlotTaken:
            return "taken"
        return "booked"

    results = at_once(book, THREADS)

    assert results.count("booked") == 1, results
    assert results.count("taken") == THREADS - 1, results
    booked = list(Appointment.objects.active())
    assert len(booked) == 1
