"""Staff book, move, cancel and mark a meet-and-greet for a caller, through the services."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditEvent
from scheduling import services
from scheduling.models import Appointment, Notification
from tests.scheduling import admin_factories as f
from tests.scheduling.factories import free_slots
from tests.scheduling.staff.helpers import change_url, soon, text_of

pytestmark = pytest.mark.django_db


def test_cancel_by_clinic_emails_the_patient_with_the_message(
    client, staff, django_capture_on_commit_callbacks
):
    appointment = f.appointment(soon())
    url = reverse("admin:scheduling_appointment_cancel", args=[appointment.pk])

    page = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"message": "The doctor is ill; please book another time."}, follow=True)

    assert "Message to the patient (optional)" in text_of(page)
    appointment.refresh_from_db()
    assert appointment.status == "cancelled_by_clinic"
    assert "is cancelled. The patient is told by email." in text_of(response)
    to_patient = [m for m in mail.outbox if m.to == [f.PATIENT_EMAIL]]
    assert len(to_patient) == 1
    assert "The doctor is ill; please book another time." in to_patient[0].body
    assert Notification.objects.filter(appointment=appointment, kind="cancellation").exists()


def test_cancelling_twice_is_refused_with_a_message(client, staff):
    appointment = f.appointment(soon(), status=Appointment.Status.CANCELLED_BY_CLINIC)

    response = client.post(
        reverse("admin:scheduling_appointment_cancel", args=[appointment.pk]), {"message": ""}, follow=True
    )

    assert services.MSG_NOT_CHANGEABLE in text_of(response)
    assert Notification.objects.count() == 0


def test_reschedule_onto_a_free_time(client, staff, hours, django_capture_on_commit_callbacks):
    appointment = f.appointment(soon(2, 18))
    new = free_slots()[5]
    url = reverse("admin:scheduling_appointment_reschedule", args=[appointment.pk])

    page = client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"start": new.start.isoformat()}, follow=True)

    assert new.start.astimezone(UTC).isoformat() in page.content.decode()  # offered in the picker
    appointment.refresh_from_db()
    assert appointment.start == new.start
    assert "Moved to" in text_of(response)
    assert Notification.objects.filter(appointment=appointment, kind="reschedule").exists()
    assert any(m.to == [f.PATIENT_EMAIL] for m in mail.outbox)


def test_reschedule_onto_a_taken_time_is_refused_and_changes_nothing(client, staff, hours):
    slots = free_slots()
    appointment = f.appointment(slots[0].start)
    other = f.appointment(slots[6].start, email="other@example.org")

    response = client.post(
        reverse("admin:scheduling_appointment_reschedule", args=[appointment.pk]),
        {"start": other.start.isoformat()},
        follow=True,
    )

    assert response.status_code == 200
    text = text_of(response)
    assert services.MSG_TAKEN in text or services.MSG_UNAVAILABLE in text
    assert "Nearby free times:" in text
    appointment.refresh_from_db()
    assert (appointment.start, appointment.version) == (slots[0].start, 1)
    assert Notification.objects.count() == 0


def caller(start: datetime, **overrides) -> dict:
    return {
        "start": start.isoformat(),
        "state": "TX",
        "time_zone": "America/Chicago",
        "full_name": "Caller Example",
        "email": "caller@example.org",
        "phone": "(512) 555-0123",
        "contact_method": "phone",
        "note": "",
        "confirm_residence": "on",
        **overrides,
    }


def test_staff_book_for_a_caller_with_the_same_emails(
    client, staff, hours, django_capture_on_commit_callbacks
):
    slot = free_slots()[3]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:scheduling_appointment_book"), caller(slot.start), follow=True)

    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.source, appointment.phone) == (slot.start, "staff", "+15125550123")
    assert response.redirect_chain[-1][0] == change_url(appointment)
    assert "The confirmation email is queued." in text_of(response)
    assert [m.to for m in mail.outbox if m.to == ["caller@example.org"]]
    assert AuditEvent.objects.filter(action="add", object_id=str(appointment.pk)).exists()


def test_the_add_button_leads_to_the_booking_form(client, staff, hours):
    response = client.get(reverse("admin:scheduling_appointment_add"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:scheduling_appointment_book")
    assert "Book a meet-and-greet for a caller" in text_of(response)


def test_staff_booking_of_a_taken_time_is_refused_and_stores_nothing_new(client, staff, hours):
    slot = free_slots()[3]
    f.appointment(slot.start)

    response = client.post(reverse("admin:scheduling_appointment_book"), caller(slot.start))

    assert response.status_code == 200
    assert Appointment.objects.count() == 1
    assert services.MSG_TAKEN in text_of(response) or services.MSG_UNAVAILABLE in text_of(response)


def test_staff_booking_with_a_zone_of_another_state_is_refused(client, staff, hours):
    slot = free_slots()[3]

    response = client.post(
        reverse("admin:scheduling_appointment_book"), caller(slot.start, time_zone="America/New_York")
    )

    assert "Eastern Time is not used in Texas." in text_of(response)
    assert Appointment.objects.count() == 0
