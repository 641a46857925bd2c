"""Staff run the booking calendar in admin: the appointment list, its change page, the outbox."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from scheduling.models import Appointment, Notification
from tests.scheduling import admin_factories as f
from tests.scheduling.staff.helpers import LIST, change_url, soon, text_of
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


def test_list_shows_clinic_time_patient_zone_and_status(client, staff):
    f.appointment(
        f.utc(2030, 7, 1, 17, 0), state="CA", time_zone="America/Los_Angeles", contact_method="video"
    )

    text = text_of(client.get(LIST))

    assert "Mon 01 Jul 2030, 13:00 EDT" in text
    assert "Pacific Time" in text
    assert "Video call" in text
    assert "Confirmed" in text


@pytest.mark.parametrize("term", ["Quixotewright", "zelda.q@example", "(212) 555-0187", "2125550187"])
def test_search_finds_by_name_email_or_phone_as_typed(client, staff, term):
    found = f.appointment(soon())
    f.appointment(soon(4), full_name="Other Person", email="other@example.org", phone="+13105550100")

    response = client.get(LIST, {"q": term})

    assert [a.pk for a in response.context["cl"].result_list] == [found.pk]


def test_filters_by_status_and_upcoming(client, staff):
    past = f.appointment(timezone.now().replace(microsecond=0) - timedelta(days=2), status="completed")
    upcoming = f.appointment(soon())

    completed = client.get(LIST, {"status__exact": "completed"}).context["cl"].result_list
    coming = client.get(LIST, {"when": "upcoming"}).context["cl"].result_list

    assert [a.pk for a in completed] == [past.pk]
    assert [a.pk for a in coming] == [upcoming.pk]


@pytest.mark.parametrize("count", [10, 500])
def test_list_query_count_does_not_grow_with_appointments(
    client, staff, count, django_assert_max_num_queries
):
    """Prevents an N+1 over the listed rows (a query per row for the outbox, the patient's zone or
    the audit trail): the list page costs the same at 10 and 500 appointments."""
    f.many_appointments(count, first=f.utc(2030, 1, 7, 14, 0))

    # The audit event of the view and the session's second factor included.
    with django_assert_max_num_queries(13):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(count, 100)


def test_change_page_shows_details_outbox_and_link_state_but_not_the_token(client, staff):
    appointment = f.appointment(soon())
    appointment.issue_manage_token()
    appointment.save()
    Notification.objects.create(
        appointment=appointment,
        kind=Notification.Kind.CONFIRMATION,
        appointment_version=1,
        recipient=appointment.email,
        status=Notification.Status.SENT,
        subject="Confirmed",
        body_text="x",
        attempts=1,
        sent_at=timezone.now(),
    )

    response = client.get(change_url(appointment), REMOTE_ADDR="203.0.113.9")

    html, text = response.content.decode(), text_of(response)
    assert f.PATIENT_NAME in html and f.PATIENT_NOTE in html and f.PATIENT_PHONE in html
    assert "Active: the patient can cancel or move this appointment" in text
    assert "Reschedule" in text and "Cancel by clinic" in text
    assert appointment.manage_token_hash not in html
    assert "Confirmation to patient" in text and "Sent" in text
    event = AuditEvent.objects.get(action="view")
    assert (event.username, event.object_id, event.client_address) == (
        "frontdesk",
        str(appointment.pk),
        "203.0.113.9",
    )


def test_editing_contact_details_is_audited_with_field_names_only(client, staff):
    appointment = f.appointment(soon())
    data = {
        "full_name": f.PATIENT_NAME,
        "email": f.PATIENT_EMAIL,
        "phone": "(212) 555-0199",
        "contact_method": "phone",
        "note": f.PATIENT_NOTE,
        "notifications-TOTAL_FORMS": "0",
        "notifications-INITIAL_FORMS": "0",
    }

    response = client.post(change_url(appointment), data)

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.phone == "+12125550199"
    event = AuditEvent.objects.get(action="change")
    assert event.fields == ["phone"]
    assert "555" not in str(event.__dict__)


def test_a_bad_phone_is_refused_with_a_message_and_changes_nothing(client, staff):
    appointment = f.appointment(soon())
    data = {
        "full_name": "X",
        "email": f.PATIENT_EMAIL,
        "phone": "12",
        "contact_method": "phone",
        "notifications-TOTAL_FORMS": "0",
        "notifications-INITIAL_FORMS": "0",
    }

    response = client.post(change_url(appointment), data)

    assert response.status_code == 200
    assert "Please enter a US phone number with area code" in text_of(response)
    appointment.refresh_from_db()
    assert (appointment.full_name, appointment.phone) == (f.PATIENT_NAME, f.PATIENT_PHONE)


def test_time_and_status_are_not_editable_in_the_form(client, staff):
    appointment = f.appointment(soon())
    data = {
        "full_name": f.PATIENT_NAME,
        "email": f.PATIENT_EMAIL,
        "phone": f.PATIENT_PHONE,
        "contact_method": "phone",
        "status": "completed",
        "start": "2030-01-01T00:00:00Z",
        "notifications-TOTAL_FORMS": "0",
        "notifications-INITIAL_FORMS": "0",
    }

    client.post(change_url(appointment), data)

    appointment.refresh_from_db()
    assert appointment.status == "confirmed"
    assert appointment.start == soon()


def test_appointments_cannot_be_deleted_in_admin(client):
    staff_login(client, f.superuser())
    appointment = f.appointment(soon())

    response = client.get(reverse("admin:scheduling_appointment_delete", args=[appointment.pk]))

    assert response.status_code == 403
    assert Appointment.objects.filter(pk=appointment.pk).exists()


def test_change_page_says_the_link_expired_once_the_call_started(client, staff):
    appointment = f.appointment(timezone.now() - timedelta(minutes=2))
    appointment.issue_manage_token()
    appointment.save()

    text = text_of(client.get(change_url(appointment)))

    assert "Expired (the link stops working when the call starts)" in text


def test_the_outbox_is_read_only(client, staff):
    appointment = f.appointment(soon())
    note = Notification.objects.create(
        appointment=appointment,
        kind="confirmation",
        appointment_version=1,
        recipient="a@example.org",
        subject="s",
        body_text="b",
    )

    view = client.get(reverse("admin:scheduling_notification_change", args=[note.pk]))
    post = client.post(
        reverse("admin:scheduling_notification_change", args=[note.pk]), {"recipient": "x@y.z"}
    )

    assert view.status_code == 200
    assert post.status_code == 403
    note.refresh_from_db()
    assert note.recipient == "a@example.org"


def test_our_admin_templates_keep_the_csp_no_inline_script_or_style():
    root = Path(__file__).resolve().parents[3] / "templates" / "admin"
    templates = list(root.rglob("*.html"))
    assert len(templates) >= 9
    for template in templates:
        source = template.read_text()
        assert "style=" not in source, template
        assert "<style" not in source, template
        assert "<script" not in source, template
        assert not re.search(r"\son[a-z]+=", source), template  # no onclick= and the like
