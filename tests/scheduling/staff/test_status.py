"""Statuses follow the clock: completed and no-show only after the call's start, and a wrong one
can be put back to confirmed, with the history and the audit trail saying who did it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.audit import Actor
from clinic.models import AuditEvent
from scheduling import services
from scheduling.models import Appointment, Notification
from tests.scheduling import admin_factories as f
from tests.scheduling.staff.helpers import LIST, change_url, soon, text_of

pytestmark = pytest.mark.django_db

STATUS_URL = "admin:scheduling_appointment_status"


def started(minutes: int = 30, **fields) -> Appointment:
    """An appointment whose call started `minutes` ago."""
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=minutes)
    return f.appointment(start, **fields)


@pytest.mark.parametrize(("action", "status"), [("mark_completed", "completed"), ("mark_no_show", "no_show")])
def test_list_actions_set_the_status_of_past_calls_through_the_service(client, staff, action, status):
    appointment = started()

    response = client.post(LIST, {"action": action, "_selected_action": [appointment.pk]}, follow=True)

    appointment.refresh_from_db()
    assert appointment.status == status
    assert appointment.version == 2
    assert f"Meet-and-greet #{appointment.pk} marked" in text_of(response)
    assert AuditEvent.objects.filter(action="action", object_id=str(appointment.pk)).exists()


def test_list_action_skips_future_calls_and_says_how_many_and_why(client, staff):
    past = started()
    future = [f.appointment(soon(3)), f.appointment(soon(4), email="b@example.org")]

    response = client.post(
        LIST, {"action": "mark_no_show", "_selected_action": [past.pk, *(a.pk for a in future)]}, follow=True
    )

    text = text_of(response)
    assert "2 selected meet-and-greets not marked: their start time has not passed yet" in text
    assert f"Meet-and-greet #{past.pk} marked no-show." in text
    for appointment in future:
        appointment.refresh_from_db()
        assert (appointment.status, appointment.version) == ("confirmed", 1)
    assert list(AuditEvent.objects.filter(action="action").values_list("object_id", flat=True)) == [
        str(past.pk)
    ]


def test_the_service_refuses_a_no_show_before_the_call_starts():
    appointment = f.appointment(soon(7))
    actor = Actor(user=f.scheduling_staff())

    with pytest.raises(services.AppointmentNotChangeable) as refused:
        services.appointment_set_status(appointment=appointment, status="no_show", actor=actor)

    assert refused.value.message == services.MSG_STATUS_NOT_STARTED
    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == ("confirmed", 1)
    assert not AuditEvent.objects.exists()


def test_the_service_writes_the_audit_event_with_the_change():
    appointment = started()
    user = f.scheduling_staff()

    services.appointment_set_status(
        appointment=appointment,
        status="completed",
        actor=Actor(user=user, client_address="203.0.113.5"),
    )

    event = AuditEvent.objects.get()
    assert (event.username, event.detail, event.fields, event.client_address) == (
        "frontdesk",
        "marked completed",
        ["status"],
        "203.0.113.5",
    )


def test_a_future_call_has_no_status_buttons_and_its_status_url_refuses(client, staff):
    appointment = f.appointment(soon())

    page = text_of(client.get(change_url(appointment)))
    response = client.post(reverse(STATUS_URL, args=[appointment.pk]), {"status": "no_show"}, follow=True)

    assert "Mark no-show" not in page
    assert "Completed or no-show can be recorded once the call has started." in page
    assert services.MSG_STATUS_NOT_STARTED in text_of(response)
    appointment.refresh_from_db()
    assert appointment.status == "confirmed"


def test_status_button_on_the_change_page(client, staff):
    appointment = started()

    page = client.get(change_url(appointment))
    response = client.post(reverse(STATUS_URL, args=[appointment.pk]), {"status": "no_show"}, follow=True)

    assert "Mark no-show" in text_of(page)
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    assert response.redirect_chain[-1][0] == change_url(appointment)
    history = text_of(response)
    assert "Booked online" in history
    assert "marked no-show by frontdesk status" in history


def test_a_wrong_no_show_is_put_back_to_confirmed_in_history_and_audit(client, staff):
    appointment = started(status=Appointment.Status.NO_SHOW)

    page = text_of(client.get(change_url(appointment)))
    response = client.post(reverse(STATUS_URL, args=[appointment.pk]), {"status": "confirmed"}, follow=True)

    assert "Put back to confirmed" in page
    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == ("confirmed", 2)
    text = text_of(response)
    assert f"Meet-and-greet #{appointment.pk} is confirmed again." in text
    assert "put back to confirmed by frontdesk status" in text
    event = AuditEvent.objects.get(action="action")
    assert (event.object_id, event.detail) == (str(appointment.pk), "put back to confirmed")
    assert not Notification.objects.exists()  # nothing to tell the patient


def test_putting_back_is_refused_for_a_cancelled_or_a_confirmed_call(client, staff):
    cancelled = started(status=Appointment.Status.CANCELLED_BY_CLINIC)
    confirmed = started(60, email="c@example.org")

    for appointment in (cancelled, confirmed):
        response = client.post(
            reverse(STATUS_URL, args=[appointment.pk]), {"status": "confirmed"}, follow=True
        )
        assert services.MSG_REOPEN_NOT_FINAL in text_of(response)
    assert not AuditEvent.objects.filter(action="action").exists()


def test_putting_back_is_refused_when_another_call_holds_the_time(client, staff):
    no_show = started(status=Appointment.Status.NO_SHOW)
    f.appointment(no_show.start, email="other@example.org")

    response = client.post(reverse(STATUS_URL, args=[no_show.pk]), {"status": "confirmed"}, follow=True)

    assert services.MSG_REOPEN_TAKEN in text_of(response)
    no_show.refresh_from_db()
    assert no_show.status == "no_show"


def test_marking_a_cancelled_appointment_is_refused_and_changes_nothing(client, staff):
    cancelled = started(status=Appointment.Status.CANCELLED_BY_PATIENT)

    response = client.post(
        LIST, {"action": "mark_completed", "_selected_action": [cancelled.pk]}, follow=True
    )

    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled_by_patient"
    assert services.MSG_STATUS_CANCELLED in text_of(response)
    assert not AuditEvent.objects.filter(action="action").exists()


def test_status_button_with_a_tampered_status_changes_nothing(client, staff):
    appointment = started()

    response = client.post(
        reverse(STATUS_URL, args=[appointment.pk]), {"status": "cancelled_by_clinic"}, follow=True
    )

    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == ("confirmed", 1)
    assert "Choose “completed”, “no-show” or “confirmed”." in text_of(response)
