"""The "Meet-and-greets by month" report for scheduling staff."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from scheduling.models import Appointment, clinic_zone
from scheduling.staff.reports import month_starts
from tests.scheduling import admin_factories as f
from tests.scheduling.staff.helpers import text_of
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

REPORT = reverse("admin:scheduling_appointment_report")


def this_month_day(day: int, hour: int = 15) -> datetime:
    today = timezone.now().astimezone(clinic_zone())
    return datetime(today.year, today.month, day, hour, tzinfo=UTC)


def test_the_report_counts_each_outcome_per_month_with_the_no_show_rate(client, staff):
    first = this_month_day(1)
    f.many_appointments(3, first=first, status=Appointment.Status.COMPLETED)
    f.many_appointments(
        1, first=first + timedelta(hours=2), status=Appointment.Status.NO_SHOW, source="staff"
    )
    f.many_appointments(2, first=first + timedelta(hours=3), status=Appointment.Status.CANCELLED_BY_PATIENT)
    f.many_appointments(1, first=first + timedelta(hours=4), status=Appointment.Status.CANCELLED_BY_CLINIC)

    response = client.get(REPORT)

    row = response.context["rows"][-1]
    assert (row.booked, row.completed, row.no_show) == (7, 3, 1)
    assert (row.cancelled_by_patient, row.cancelled_by_clinic, row.by_staff) == (2, 1, 1)
    assert row.no_show_rate == "25%"
    assert len(response.context["rows"]) == 12
    text = text_of(response)
    assert "Meet-and-greets by month" in text and "No-show rate" in text
    assert AuditEvent.objects.filter(action="view", detail="report: meet-and-greets by month").exists()


def test_months_without_calls_show_zero_and_no_rate(client, staff):
    rows = client.get(REPORT).context["rows"]

    assert all(row.booked == 0 and row.no_show_rate == "—" for row in rows)


@pytest.mark.parametrize("count", [5, 400])
def test_the_report_query_count_does_not_grow_with_appointments(
    client, staff, count, django_assert_max_num_queries
):
    """Prevents a query per month or per appointment: one aggregate query for the twelve months."""
    f.many_appointments(count, first=this_month_day(1, 12), status=Appointment.Status.COMPLETED)

    # Session and user, their permissions, the second factor, the report's one query, the audit
    # event, the session.
    with django_assert_max_num_queries(10):
        response = client.get(REPORT)

    assert response.context["rows"][-1].booked == count


def test_month_starts_cross_the_year():
    assert month_starts(datetime(2027, 2, 14).date(), 3) == [
        datetime(2026, 12, 1).date(),
        datetime(2027, 1, 1).date(),
        datetime(2027, 2, 1).date(),
    ]


def test_plain_staff_cannot_see_the_report(client):
    staff_login(client, f.plain_staff())

    assert client.get(REPORT).status_code == 403
