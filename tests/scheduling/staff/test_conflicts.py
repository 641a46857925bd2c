"""Availability changes never strand a patient: staff see the confirmed calls a change would leave
outside availability, and nothing changes until they keep them or cancel them with one message."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditEvent
from scheduling import services
from scheduling.models import Appointment, BookingRules, Notification, TimeOff, WeeklyHours
from scheduling.services import changes
from tests.scheduling import admin_factories as f
from tests.scheduling.staff.helpers import text_of

pytestmark = pytest.mark.django_db

TIME_OFF_ADD = reverse("admin:scheduling_timeoff_add")
AGENDA = reverse("admin:scheduling_appointment_agenda")
# Monday 1 July 2030, 10:00 and 11:00 in New York (EDT).
TEN, ELEVEN = f.utc(2030, 7, 1, 14, 0), f.utc(2030, 7, 1, 15, 0)
DAY_OFF = {"start_date": "2030-07-01", "end_date": "2030-07-01", "reason": "Conference"}


@pytest.fixture
def booked(hours):
    return [
        f.appointment(TEN),
        f.appointment(
            ELEVEN,
            email="second@example.org",
            contact_method="video",
            state="CA",
            time_zone="America/Los_Angeles",
        ),
    ]


def test_time_off_over_confirmed_calls_shows_them_and_saves_nothing(client, staff, booked):
    response = client.post(TIME_OFF_ADD, DAY_OFF)

    assert response.status_code == 200
    text = text_of(response)
    assert "This change leaves 2 confirmed meet-and-greets outside availability" in text
    assert "Nothing is saved yet." in text
    assert "Mon 01 Jul 2030, 10:00 EDT" in text and "Mon 01 Jul 2030, 11:00 EDT" in text
    assert "Phone call" in text and "Video call" in text
    assert f.PATIENT_NAME not in response.content.decode()
    assert not TimeOff.objects.exists()
    assert not AuditEvent.objects.exists()
    assert [a.status for a in Appointment.objects.all()] == ["confirmed", "confirmed"]


def test_keeping_them_saves_the_change_and_the_agenda_marks_them(client, staff, booked):
    response = client.post(TIME_OFF_ADD, {**DAY_OFF, "_conflicts": "keep"}, follow=True)

    assert TimeOff.objects.count() == 1
    assert "2 confirmed meet-and-greets stay booked outside availability" in text_of(response)
    assert [a.status for a in Appointment.objects.all()] == ["confirmed", "confirmed"]
    assert not Notification.objects.exists()
    agenda = text_of(client.get(AGENDA, {"date": "2030-07-01"}))
    assert agenda.count("Outside availability (during time off)") == 2
    assert "All day Time off Conference" in agenda


def test_cancelling_them_sends_each_patient_one_email_with_a_calendar_cancellation(
    client, staff, booked, django_capture_on_commit_callbacks
):
    shown = [str(a.pk) for a in booked]
    data = {
        **DAY_OFF,
        "_conflicts": "cancel",
        "_conflicts_message": "The doctor is away.",
        "_conflicts_shown": shown,
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(TIME_OFF_ADD, data, follow=True)

    assert TimeOff.objects.count() == 1
    assert "2 meet-and-greets cancelled for the clinic" in text_of(response)
    assert [a.status for a in Appointment.objects.all()] == ["cancelled_by_clinic"] * 2
    for appointment in booked:
        to_patient = [m for m in mail.outbox if m.to == [appointment.email]]
        assert len(to_patient) == 1
        assert "The doctor is away." in to_patient[0].body
        calendars = [p for p in to_patient[0].message().walk() if p.get_content_type() == "text/calendar"]
        assert len(calendars) == 1 and calendars[0].get_param("method") == "CANCEL"
        assert "METHOD:CANCEL" in calendars[0].get_payload(decode=True).decode()
    assert AuditEvent.objects.filter(detail="cancelled by clinic").count() == 2


def test_a_spanish_patient_stranded_by_time_off_is_told_in_spanish_and_staff_in_english(
    client, staff, booked, django_capture_on_commit_callbacks
):
    spanish = booked[1]
    Appointment.objects.filter(pk=spanish.pk).update(language="es")
    data = {
        **DAY_OFF,
        "_conflicts": "cancel",
        "_conflicts_message": "El doctor está de viaje.",
        "_conflicts_shown": [str(a.pk) for a in booked],
    }

    with django_capture_on_commit_callbacks(execute=True):
        client.post(TIME_OFF_ADD, data, follow=True)

    [to_spanish] = [m for m in mail.outbox if m.to == [spanish.email]]
    assert to_spanish.subject == "Su llamada de presentación con el Dr. Panagopoulos está cancelada"
    assert "El consultorio canceló su llamada de presentación" in to_spanish.body
    assert "lunes, 1 de julio de 2030, 8:00 a. m., hora del Pacífico (su hora)" in to_spanish.body
    assert "El doctor está de viaje." in to_spanish.body
    calendar = next(p for p in to_spanish.message().walk() if p.get_content_type() == "text/calendar")
    ics = calendar.get_payload(decode=True).decode()
    assert "SUMMARY:Llamada de presentación con el Dr. Panagopoulos" in ics
    [to_english] = [m for m in mail.outbox if m.to == [booked[0].email]]
    assert to_english.subject == "Your meet-and-greet with Dr. Panagopoulos is cancelled"
    staff_subjects = sorted(m.subject for m in mail.outbox if m.to == ["staff@localhost"])
    assert staff_subjects == [
        "Meet-and-greet cancelled: Monday, July 1, 10:00 AM Eastern Time",
        "Meet-and-greet cancelled: Monday, July 1, 11:00 AM Eastern Time",
    ]


def test_cancelling_them_is_all_or_nothing(client, staff, booked):
    real_cancel = services.appointment_cancel
    calls = []

    def fail_the_second(**kwargs):
        calls.append(kwargs["appointment"].pk)
        if len(calls) == 2:
            raise services.AppointmentNotChangeable()
        return real_cancel(**kwargs)

    data = {**DAY_OFF, "_conflicts": "cancel", "_conflicts_shown": [str(a.pk) for a in booked]}
    with mock.patch.object(changes, "appointment_cancel", side_effect=fail_the_second):
        response = client.post(TIME_OFF_ADD, data)

    assert response.status_code == 200
    assert "can no longer be cancelled (it changed meanwhile), so nothing was saved or cancelled." in text_of(
        response
    )
    assert "was added successfully" not in text_of(response)
    assert not TimeOff.objects.exists()
    assert [a.status for a in Appointment.objects.all()] == ["confirmed", "confirmed"]
    assert not Notification.objects.exists()


def test_a_lower_daily_cap_shows_the_calls_over_it(client, staff, booked):
    rules = BookingRules.load()
    data = {
        "slot_minutes": "10",
        "buffer_minutes": "5",
        "minimum_notice_hours": "24",
        "horizon_days": "30",
        "daily_cap": "1",
        "step_minutes": "",
    }

    response = client.post(reverse("admin:scheduling_bookingrules_change", args=[rules.pk]), data)

    text = text_of(response)
    assert "This change leaves 1 confirmed meet-and-greet outside availability" in text
    assert "Over the daily cap" in text and "11:00 EDT" in text
    rules.refresh_from_db()
    assert rules.daily_cap is None


def test_shorter_weekly_hours_show_the_calls_left_outside(client, staff, booked):
    monday = WeeklyHours.objects.get(weekday=0)

    response = client.post(
        reverse("admin:scheduling_weeklyhours_change", args=[monday.pk]),
        {"weekday": "0", "start_time": "10:30", "end_time": "17:00"},
    )

    text = text_of(response)
    assert "This change leaves 1 confirmed meet-and-greet outside availability" in text
    assert "Outside the weekly hours" in text and "10:00 EDT" in text
    monday.refresh_from_db()
    assert monday.start_time.hour == 9


def test_a_change_that_strands_nobody_saves_at_once(client, staff, booked):
    response = client.post(TIME_OFF_ADD, {"start_date": "2030-07-02", "end_date": "2030-07-02", "reason": ""})

    assert response.status_code == 302
    assert TimeOff.objects.count() == 1


def test_deleting_weekly_hours_under_a_call_asks_first(client, staff, booked):
    monday = WeeklyHours.objects.get(weekday=0)
    url = reverse("admin:scheduling_weeklyhours_delete", args=[monday.pk])

    asked = client.post(url, {"post": "yes"})
    still_there = WeeklyHours.objects.filter(pk=monday.pk).exists()
    kept = client.post(url, {"post": "yes", "_conflicts": "keep"}, follow=True)

    assert "This change leaves 2 confirmed meet-and-greets outside availability" in text_of(asked)
    assert still_there
    assert not WeeklyHours.objects.filter(pk=monday.pk).exists()
    assert "2 confirmed meet-and-greets stay booked outside availability" in text_of(kept)
    assert [a.status for a in Appointment.objects.all()] == ["confirmed", "confirmed"]
