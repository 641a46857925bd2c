"""Staff book, move, cancel and mark a meet-and-greet for a caller, through the services."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from scheduling import services
from scheduling.models import Appointment, BookingRules, Notification, clinic_zone
from scheduling.staff.forms import MSG_LANGUAGE
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


def when(start: datetime, *, free: bool = True, **extra) -> dict:
    """The time fields as staff fill them: a listed free time, or a date and another time."""
    local = start.astimezone(clinic_zone())
    if free:
        return {"day": local.date().isoformat(), "free_time": start.astimezone(UTC).isoformat(), **extra}
    return {"day": local.date().isoformat(), "other_time": f"{local:%H:%M}", **extra}


def test_reschedule_onto_a_free_time(client, staff, hours, django_capture_on_commit_callbacks):
    appointment = f.appointment(soon(2, 18))
    new = free_slots()[5]
    url = reverse("admin:scheduling_appointment_reschedule", args=[appointment.pk])

    page = client.get(url, {"day": new.start.astimezone(clinic_zone()).date().isoformat()})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, when(new.start), follow=True)

    assert new.start.astimezone(UTC).isoformat() in page.content.decode()  # offered in the picker
    appointment.refresh_from_db()
    assert appointment.start == new.start
    assert "Moved to" in text_of(response)
    assert Notification.objects.filter(appointment=appointment, kind="reschedule").exists()
    assert any(m.to == [f.PATIENT_EMAIL] for m in mail.outbox)
    assert AuditEvent.objects.filter(action="action", detail="rescheduled").exists()


def test_reschedule_onto_a_taken_time_is_refused_and_changes_nothing(client, staff, hours):
    slots = free_slots()
    appointment = f.appointment(slots[0].start)
    other = f.appointment(slots[6].start, email="other@example.org")

    response = client.post(
        reverse("admin:scheduling_appointment_reschedule", args=[appointment.pk]), when(other.start)
    )

    assert response.status_code == 200
    text = text_of(response)
    assert str(services.MSG_TAKEN) in text
    assert "Nearby free times:" in text
    appointment.refresh_from_db()
    assert (appointment.start, appointment.version) == (slots[0].start, 1)
    assert Notification.objects.count() == 0


# --- booking for a caller -----------------------------------------------------------------------


def caller(start: datetime, *, free: bool = True, **overrides) -> dict:
    return {
        **when(start, free=free),
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


BOOK = reverse("admin:scheduling_appointment_book")


def test_staff_book_for_a_caller_with_the_same_emails(
    client, staff, hours, django_capture_on_commit_callbacks
):
    slot = free_slots()[3]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BOOK, caller(slot.start), follow=True)

    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.source, appointment.phone) == (slot.start, "staff", "+15125550123")
    assert response.redirect_chain[-1][0] == change_url(appointment)
    assert "The confirmation email is queued." in text_of(response)
    assert [m.to for m in mail.outbox if m.to == ["caller@example.org"]]
    assert AuditEvent.objects.filter(action="add", object_id=str(appointment.pk)).exists()


def test_staff_choose_the_language_of_the_callers_emails_and_their_own_alert_stays_english(
    client, staff, hours, django_capture_on_commit_callbacks
):
    slot = free_slots()[3]

    page = client.get(BOOK)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BOOK, caller(slot.start, language="es"), follow=True)

    assert "Language for the patient's emails" in text_of(page)
    english_first = '<input type="radio" name="language" value="en" id="id_language_0" checked>'
    assert english_first in page.content.decode()
    appointment = Appointment.objects.get()
    assert appointment.language == "es"
    [to_patient] = [m for m in mail.outbox if m.to == ["caller@example.org"]]
    assert to_patient.subject == "Su llamada de presentación con el Dr. Panagopoulos está confirmada"
    assert "hora del Centro (su hora)" in to_patient.body
    [to_staff] = [m for m in mail.outbox if m.to == ["staff@localhost"]]
    assert to_staff.subject.startswith("New meet-and-greet booked for ")


def test_a_caller_booked_without_a_language_choice_gets_english(
    client, staff, hours, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BOOK, caller(free_slots()[3].start))

    assert Appointment.objects.get().language == "en"
    [to_patient] = [m for m in mail.outbox if m.to == ["caller@example.org"]]
    assert to_patient.subject == "Your meet-and-greet with Dr. Panagopoulos is confirmed"


def test_a_language_the_site_does_not_speak_is_refused_and_nothing_is_booked(client, staff, hours):
    response = client.post(BOOK, caller(free_slots()[3].start, language="fr"))

    assert response.status_code == 200
    assert MSG_LANGUAGE in text_of(response)
    assert not Appointment.objects.exists()
    assert Notification.objects.count() == 0


def test_the_add_button_leads_to_the_booking_form(client, staff, hours):
    response = client.get(reverse("admin:scheduling_appointment_add"), follow=True)

    assert response.redirect_chain[-1][0] == BOOK
    assert "Book a meet-and-greet for a caller" in text_of(response)


def test_the_form_speaks_to_staff_and_shows_the_days_times_in_both_zones(client, staff, hours):
    slot = free_slots()[0]
    local = slot.start.astimezone(clinic_zone())

    text = text_of(client.get(BOOK, {"day": local.date().isoformat(), "state": "CA"}))

    assert "Patient's email" in text and "We send your confirmation here" not in text
    pacific = slot.start.astimezone(ZoneInfo("America/Los_Angeles"))
    both = (
        f"{local:%I:%M %p}".lstrip("0")
        + " Eastern Time · "
        + f"{pacific:%I:%M %p}".lstrip("0")
        + " Pacific Time"
    )
    assert both in text


def test_staff_booking_of_a_taken_time_is_refused_and_stores_nothing_new(client, staff, hours):
    slot = free_slots()[3]
    f.appointment(slot.start)

    response = client.post(BOOK, caller(slot.start))

    assert response.status_code == 200
    assert Appointment.objects.count() == 1
    text = text_of(response)
    assert str(services.MSG_TAKEN) in text
    assert text.index("Please correct") < text.index("State the caller lives in")  # summary on top


def test_texas_callers_need_a_zone_and_single_zone_states_do_not(client, staff, hours):
    slot = free_slots()[3]

    texas = client.post(BOOK, caller(slot.start, time_zone=""))
    new_york = client.post(BOOK, caller(slot.start, state="NY", time_zone="", email="ny@example.org"))

    assert "most of Texas is on Central Time" in text_of(texas)
    assert new_york.status_code == 302
    assert Appointment.objects.get().time_zone == "America/New_York"


def test_same_day_time_within_hours_is_booked_without_the_notice(client, staff, hours):
    # Patients need 24 hours' notice; staff booking a caller do not.
    start = (timezone.now() + timedelta(hours=2)).astimezone(clinic_zone())
    start = start.replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=1)
    start = start.astimezone(UTC)
    assert start - timezone.now() < timedelta(hours=36)
    BookingRules.objects.filter(pk=BookingRules.load().pk).update(minimum_notice_hours=48, daily_cap=1)
    f.appointment(start + timedelta(hours=2))  # the cap is reached that day

    response = client.post(BOOK, caller(start))

    assert response.status_code == 302
    assert Appointment.objects.filter(source="staff").get().start == start


def test_a_time_outside_the_hours_needs_the_confirmation(client, staff, hours):
    evening = soon(2, 23)  # 18:00 Eastern, after hours

    first = client.post(BOOK, caller(evening, free=False))
    confirmed = client.post(BOOK, caller(evening, free=False, confirm_outside="on"))

    assert services.MSG_OUTSIDE_HOURS in text_of(first)
    assert "Yes, book this time although it is outside the usual hours." in text_of(first)
    assert confirmed.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.start == evening
    assert AuditEvent.objects.get(action="add").detail == "booked by staff outside the usual hours"


def test_even_outside_the_hours_staff_cannot_overlap_a_call(client, staff, hours):
    evening = soon(2, 23)
    f.appointment(evening + timedelta(minutes=5))

    response = client.post(BOOK, caller(evening, free=False, confirm_outside="on"))

    assert str(services.MSG_TAKEN) in text_of(response)
    assert Appointment.objects.count() == 1


def test_an_email_with_an_upcoming_call_shows_it_and_sends_the_patient_nothing(
    client, staff, hours, django_capture_on_commit_callbacks
):
    slots = free_slots()
    existing = f.appointment(slots[0].start, email="caller@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BOOK, caller(slots[4].start))

    text = text_of(response)
    assert "This email already has an upcoming meet-and-greet" in text
    assert f"Meet-and-greet #{existing.pk}" in text
    move = reverse("admin:scheduling_appointment_reschedule", args=[existing.pk])
    assert move in response.content.decode()
    assert Appointment.objects.count() == 1
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_appointment_page_links_the_phone_number(client, staff):
    appointment = f.appointment(soon())

    html = client.get(change_url(appointment)).content.decode()

    assert f'<a href="tel:{f.PATIENT_PHONE}">' in html


def test_move_instead_prefills_the_time_and_an_outside_hours_move_needs_the_confirmation(
    client, staff, hours
):
    appointment = f.appointment(soon(3))
    evening = soon(2, 23)
    url = reverse("admin:scheduling_appointment_reschedule", args=[appointment.pk])

    page = client.get(url, {"start": evening.isoformat()})
    refused = client.post(url, when(evening, free=False))
    moved = client.post(url, when(evening, free=False, confirm_outside="on"))

    local = evening.astimezone(clinic_zone())
    assert f'value="{local:%H:%M}"' in page.content.decode()
    assert services.MSG_OUTSIDE_HOURS in text_of(refused)
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == evening
    assert AuditEvent.objects.get(action="action").detail == "rescheduled outside the usual hours"
