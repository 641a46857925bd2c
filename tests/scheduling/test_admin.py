"""Staff run the booking calendar in admin: list, change page, actions through the services,
booking for a caller, CSV export, and the availability admin (hours, time off, rules)."""

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEvent
from scheduling import services
from scheduling.models import Appointment, BookingRules, Notification, TimeOff, WeeklyHours
from tests.html import visible_text
from tests.scheduling import admin_factories as f
from tests.scheduling.factories import free_slots, open_every_day
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

LIST = reverse("admin:scheduling_appointment_changelist")


def change_url(appointment) -> str:
    return reverse("admin:scheduling_appointment_change", args=[appointment.pk])


def text_of(response) -> str:
    return visible_text(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def staff(client):
    user = f.scheduling_staff()
    staff_login(client, user)
    return user


@pytest.fixture
def hours():
    open_every_day()


def soon(days: int = 3, hour: int = 15) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


# --- the list ---------------------------------------------------------------------------


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

    # 12: the 11 of the page, plus the second factor of the session (one query, every admin page).
    with django_assert_max_num_queries(12):
        response = client.get(LIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(count, 100)


# --- the change page -----------------------------------------------------------------------


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
    assert "Reschedule" in text and "Cancel by clinic" in text and "Mark completed" in text
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


# --- actions through the services -----------------------------------------------------------------


@pytest.mark.parametrize(("action", "status"), [("mark_completed", "completed"), ("mark_no_show", "no_show")])
def test_list_actions_set_the_status_through_the_service(client, staff, action, status):
    appointment = f.appointment(soon())

    response = client.post(LIST, {"action": action, "_selected_action": [appointment.pk]}, follow=True)

    appointment.refresh_from_db()
    assert appointment.status == status
    assert appointment.version == 2
    assert f"Meet-and-greet #{appointment.pk} marked" in text_of(response)
    assert AuditEvent.objects.filter(action="action", object_id=str(appointment.pk)).exists()


def test_marking_a_cancelled_appointment_is_refused_and_changes_nothing(client, staff):
    cancelled = f.appointment(soon(), status=Appointment.Status.CANCELLED_BY_PATIENT)

    response = client.post(
        LIST, {"action": "mark_completed", "_selected_action": [cancelled.pk]}, follow=True
    )

    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled_by_patient"
    assert "A cancelled meet-and-greet cannot be marked completed or no-show." in text_of(response)
    assert not AuditEvent.objects.filter(action="action").exists()


def test_status_button_on_the_change_page(client, staff):
    appointment = f.appointment(soon())

    page = client.get(change_url(appointment))
    response = client.post(
        reverse("admin:scheduling_appointment_status", args=[appointment.pk]),
        {"status": "no_show"},
        follow=True,
    )

    assert "Mark no-show" in text_of(page)
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    assert response.redirect_chain[-1][0] == change_url(appointment)
    history = text_of(response)
    assert "Booked online" in history
    assert "marked no-show by frontdesk status" in history


def test_status_button_with_a_tampered_status_changes_nothing(client, staff):
    appointment = f.appointment(soon())

    response = client.post(
        reverse("admin:scheduling_appointment_status", args=[appointment.pk]),
        {"status": "confirmed"},
        follow=True,
    )

    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == ("confirmed", 1)
    assert "Choose “completed” or “no-show”." in text_of(response)


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


# --- booking for a caller -----------------------------------------------------------------------


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


# --- CSV export ----------------------------------------------------------------------------------------


def test_csv_export_of_the_filtered_list_asks_first_then_is_audited(client, staff):
    kept = f.appointment(f.utc(2030, 7, 1, 17, 0), full_name='=HYPERLINK("http://evil")')
    f.appointment(f.utc(2030, 7, 2, 17, 0), status="completed", email="done@example.org")
    url = reverse("admin:scheduling_appointment_export") + "?status__exact=confirmed"

    confirm = client.get(url)
    exported_before_confirming = AuditEvent.objects.filter(action="export").exists()
    response = client.post(url)

    assert "1 appointment" in text_of(confirm) and "status__exact: confirmed" in text_of(confirm)
    assert not exported_before_confirming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "start_clinic_time", "end_clinic_time"]
    assert len(rows) == 2
    assert rows[1][0] == str(kept.pk)
    assert rows[1][1] == "2030-07-01T13:00:00-04:00"
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'
    assert rows[1][7] == f.PATIENT_PHONE
    event = AuditEvent.objects.get(action="export")
    assert event.username == "frontdesk" and event.detail == "CSV of 1 appointments"
    assert "full_name" in event.fields and "email" in event.fields


def test_export_link_carries_the_list_filters(client, staff):
    response = client.get(LIST, {"status__exact": "confirmed"})

    assert (
        reverse("admin:scheduling_appointment_export") + "?status__exact=confirmed"
        in response.content.decode()
    )


def test_export_with_bad_filters_exports_nothing(client, staff):
    response = client.post(
        reverse("admin:scheduling_appointment_export") + "?start__gte=notadate", follow=True
    )

    assert "nothing was exported" in text_of(response)
    assert not AuditEvent.objects.filter(action="export").exists()


# --- availability admin ------------------------------------------------------------------------------


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
    root = Path(__file__).resolve().parents[2] / "templates" / "admin"
    templates = list(root.rglob("*.html"))
    assert len(templates) >= 9
    for template in templates:
        source = template.read_text()
        assert "style=" not in source, template
        assert "<style" not in source, template
        assert "<script" not in source, template
        assert not re.search(r"\son[a-z]+=", source), template  # no onclick= and the like


def test_change_page_says_the_link_expired_once_the_call_started(client, staff):
    appointment = f.appointment(timezone.now() - timedelta(minutes=2))
    appointment.issue_manage_token()
    appointment.save()

    text = text_of(client.get(change_url(appointment)))

    assert "Expired (the link stops working when the call starts)" in text
