from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling import selectors
from scheduling.models import Appointment, TimeOff
from tests.scheduling.factories import open_every_day


def add_appointments(count: int) -> None:
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    Appointment.objects.bulk_create(
        Appointment(
            start=start + timedelta(minutes=15 * i),
            end=start + timedelta(minutes=15 * i + 10),
            full_name="P",
            email=f"p{i}@example.com",
            phone="+12125550143",
            state="NY",
            time_zone="America/New_York",
            contact_method="phone",
            manage_token_hash=f"{i:064d}",
        )
        for i in range(count)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("appointments", [10, 1000])
def test_slot_selector_runs_a_fixed_number_of_queries_whatever_the_bookings(
    appointments, django_assert_max_num_queries
):
    """Loading hours, time off and taken times must not query per appointment or per day (N+1)."""
    open_every_day()
    TimeOff.objects.create(
        start_date=timezone.localdate() + timedelta(days=5), end_date=timezone.localdate() + timedelta(days=6)
    )
    add_appointments(appointments)

    with django_assert_max_num_queries(5):
        slots = selectors.patient_slots(tz="America/Chicago", start=timezone.localdate(), days=62)

    assert slots  # it did compute something
