"""What staff look at is audited (who, what, when; no patient details in the event), and the
outbox never shows a patient's private manage link."""

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from scheduling.models import Notification
from tests.scheduling import admin_factories as f
from tests.scheduling.staff.helpers import LIST, change_url, soon, text_of

pytestmark = pytest.mark.django_db

TOKEN = "Zq3xSECRETtokenVALUE123456789abc"


def views() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.filter(action="view").values_list("object_type", "object_id", "detail"))


def assert_no_patient_details() -> None:
    for event in AuditEvent.objects.all():
        text = f"{event.detail} {event.fields} {event}"
        for private in (f.PATIENT_NAME, f.PATIENT_EMAIL, f.PATIENT_PHONE, "Quixotewright"):
            assert private not in text


@pytest.mark.parametrize("view", ["day", "week"])
def test_opening_the_agenda_is_audited(client, staff, view):
    f.appointment(f.utc(2030, 7, 1, 14, 0))

    client.get(reverse("admin:scheduling_appointment_agenda"), {"date": "2030-07-01", "view": view})

    assert views() == [
        ("scheduling.appointment", "", f"agenda ({view} of 2030-07-0{1 if view == 'day' else 1})")
    ]
    assert AuditEvent.objects.get().username == "frontdesk"


def test_opening_the_list_is_audited_with_filter_names_not_the_search_term(client, staff):
    f.appointment(soon())

    client.get(LIST, {"q": "Quixotewright", "status__exact": "confirmed"})

    event = AuditEvent.objects.get(action="view")
    assert (event.detail, event.fields) == ("appointment list", ["q", "status__exact"])
    assert_no_patient_details()


def test_opening_an_appointment_is_audited(client, staff):
    appointment = f.appointment(soon())

    client.get(change_url(appointment))

    assert views() == [("scheduling.appointment", str(appointment.pk), "")]
    assert_no_patient_details()


def outbox_message(appointment) -> Notification:
    return Notification.objects.create(
        appointment=appointment,
        kind="confirmation",
        appointment_version=1,
        recipient=f.PATIENT_EMAIL,
        subject="Your meet-and-greet is confirmed",
        body_text=f"Change or cancel: https://clinic.example/book/manage/{TOKEN}/ (private)",
        body_html=f'<a href="https://clinic.example/book/manage/{TOKEN}/">manage</a>',
    )


def test_an_outbox_message_is_shown_without_the_manage_link_and_its_viewing_is_audited(client, staff):
    note = outbox_message(f.appointment(soon()))

    response = client.get(reverse("admin:scheduling_notification_change", args=[note.pk]))

    html = response.content.decode()
    assert TOKEN not in html
    assert "/book/manage/[the patient's private link, hidden from staff]" in text_of(response)
    assert views() == [("scheduling.notification", str(note.pk), "outbox message")]


def test_the_csv_export_is_audited_without_patient_details(client, staff):
    f.appointment(soon())

    client.post(reverse("admin:scheduling_appointment_export"))

    assert AuditEvent.objects.filter(action="export").count() == 1
    assert_no_patient_details()
