"""The availability admin: weekly hours, time off and the booking rules."""

from datetime import time

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from scheduling.models import BookingRules, TimeOff, WeeklyHours
from tests.scheduling.staff.helpers import text_of

pytestmark = pytest.mark.django_db


def test_overlapping_weekly_hours_are_refused_with_a_clear_message(client, staff):
    WeeklyHours.objects.create(weekday=0, start_time=time(9), end_time=time(12))

    response = client.post(
        reverse("admin:scheduling_weeklyhours_add"),
        {"weekday": "0", "start_time": "11:00", "end_time": "13:00"},
    )

    assert "These hours overlap Monday 09:00–12:00" in text_of(response)
    assert WeeklyHours.objects.count() == 1


def test_inverted_weekly_hours_are_refused_with_a_clear_message(client, staff):
    response = client.post(
        reverse("admin:scheduling_weeklyhours_add"),
        {"weekday": "2", "start_time": "17:00", "end_time": "09:00"},
    )

    text = text_of(response)
    assert "The end must be later than the start." in text
    assert "Constraint" not in text
    assert not WeeklyHours.objects.exists()


def test_time_off_can_be_added_and_is_audited(client, staff):
    response = client.post(
        reverse("admin:scheduling_timeoff_add"),
        {"start_date": "2030-12-24", "end_date": "2030-12-26", "reason": "Holidays"},
    )

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="add", object_type="scheduling.timeoff").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"start_date": "2030-12-26", "end_date": "2030-12-24"},
            "The last day cannot be before the first day.",
        ),
        (
            {
                "start_date": "2030-12-24",
                "start_time": "14:00",
                "end_date": "2030-12-24",
                "end_time": "13:00",
            },
            "The time off must end after it starts.",
        ),
    ],
)
def test_inverted_time_off_is_refused_with_one_clear_message(client, staff, data, message):
    response = client.post(reverse("admin:scheduling_timeoff_add"), {**data, "reason": ""})

    text = text_of(response)
    assert message in text
    assert "Constraint" not in text
    assert not TimeOff.objects.exists()


def test_booking_rules_is_a_singleton_edited_in_place(client, staff):
    rules = BookingRules.load()

    listing = client.get(reverse("admin:scheduling_bookingrules_changelist"))
    add = client.get(reverse("admin:scheduling_bookingrules_add"))
    bad = client.post(
        reverse("admin:scheduling_bookingrules_change", args=[rules.pk]),
        {"slot_minutes": "0", "buffer_minutes": "5", "minimum_notice_hours": "24", "horizon_days": "30"},
    )

    assert listing.status_code == 302 and listing["Location"].endswith(f"/bookingrules/{rules.pk}/change/")
    assert add.status_code == 403
    assert "Ensure this value is greater than or equal to 1." in text_of(bad)
    rules.refresh_from_db()
    assert rules.slot_minutes == 10
    assert BookingRules.objects.count() == 1
