"""The patient's private manage link: GET only shows, POSTs cancel or move once, and expired,
cancelled and forged links behave as promised."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from scheduling import services
from scheduling.models import Appointment, Notification
from scheduling.public.manage import LOOKUPS_PER_WINDOW, MSG_MOVED
from scheduling.public.manage_forms import MSG_CHOOSE_TIME
from tests.html import visible_text
from tests.scheduling.factories import free_slots, open_every_day
from tests.scheduling.notify_factories import book, make_appointment

Kind = Notification.Kind

CANCEL_BUTTON = "Cancel my meet-and-greet"
MOVE_BUTTON = "Move my meet-and-greet to this time"
YES = {"confirm": "yes"}  # what the "Yes, cancel" button sends


def url(token: str, action: str = "") -> str:
    return f"/book/manage/{token}/" + (f"{action}/" if action else "")


def text(response) -> str:
    return visible_text(response.content.decode())


def snapshot(appointment: Appointment):
    appointment.refresh_from_db()
    rows = sorted(Notification.objects.values_list("kind", "appointment_version", "status"))
    return appointment.start, appointment.status, appointment.version, rows


@pytest.fixture
def booked(db):
    """A confirmed appointment five days ahead (Pacific Time patient), its token, and open hours."""
    open_every_day()
    slot = next(
        s
        for s in free_slots(tz="America/Los_Angeles", days=10)
        if s.start > timezone.now() + timedelta(days=4)
    )
    appointment, token = book(start=slot.start)
    mail.outbox.clear()  # the booking's own emails
    return appointment, token


def other_free_slot(appointment):
    return next(
        s
        for s in free_slots(tz="America/Los_Angeles", days=10)
        if s.start > timezone.now() + timedelta(days=2)
        and abs(s.start - appointment.start) > timedelta(hours=1)
    )


def test_get_shows_the_time_in_both_zones_and_the_ways_on_and_changes_nothing(client, booked):
    appointment, token = booked
    before = snapshot(appointment)

    response = client.get(url(token))
    head = client.head(url(token))

    assert response.status_code == 200 and head.status_code == 200
    page = text(response)
    assert "Pacific Time" in page and "Eastern Time, the clinic's time" in page
    local = appointment.start.astimezone(appointment.patient_zone)
    assert f"{local:%A, %B} {local.day}, {local.year}" in page
    html = response.content.decode()
    # On a phone both ways on are right under the booking, not after a list of times.
    assert f'href="{url(token, "time")}"' in html and "Change the time" in page
    assert f'href="{url(token, "cancel/confirm")}"' in html and CANCEL_BUTTON in page
    assert 'name="start"' not in html  # no list of times to scroll past
    assert 'name="robots" content="noindex' in html
    assert "no-store" in response["Cache-Control"]
    assert snapshot(appointment) == before
    assert mail.outbox == []


def test_the_change_time_step_lists_free_times_with_the_move_form_and_changes_nothing(client, booked):
    appointment, token = booked
    before = snapshot(appointment)

    response = client.get(url(token, "time"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{url(token, "move")}"' in html and MOVE_BUTTON in text(response)
    assert 'name="start"' in html
    assert f'href="{url(token)}"' in html  # "Keep my time"
    assert snapshot(appointment) == before


def test_cancelling_asks_once_with_the_time_and_keep_it_leads_back(client, booked):
    appointment, token = booked
    before = snapshot(appointment)
    local = appointment.start.astimezone(appointment.patient_zone)

    response = client.get(url(token, "cancel/confirm"))

    assert response.status_code == 200
    page = text(response)
    when = f"{local:%A, %B} {local.day} at {local:%-I:%M %p} Pacific Time"
    assert f"Cancel your meet-and-greet on {when}?" in page
    assert "Yes, cancel" in page and "Keep it" in page
    html = response.content.decode()
    assert f'action="{url(token, "cancel")}"' in html and f'href="{url(token)}"' in html
    assert snapshot(appointment) == before


def test_a_cancel_post_without_the_confirmation_step_changes_nothing_and_asks(client, booked):
    appointment, token = booked
    before = snapshot(appointment)

    response = client.post(url(token, "cancel"))

    assert response.status_code == 302 and response["Location"] == url(token, "cancel/confirm")
    assert snapshot(appointment) == before


@pytest.mark.parametrize("action", ["cancel", "move"])
def test_a_get_on_a_post_only_address_leads_back_to_the_manage_page(client, booked, action):
    appointment, token = booked
    before = snapshot(appointment)

    response = client.get(url(token, action))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Nothing was changed" in text(response)
    assert "988" in text(response)  # the site's own look, crisis notice and all
    assert f'href="{url(token)}"' in response.content.decode()
    assert snapshot(appointment) == before


def test_cancel_works_once_and_then_only_the_cancelled_state_shows(client, booked):
    appointment, token = booked

    response = client.post(url(token, "cancel"), YES)

    assert response.status_code == 302 and response["Location"] == url(token)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
    rows_after_first = snapshot(appointment)[3]
    assert (Kind.CANCELLATION, 2, "pending") in rows_after_first

    again = client.post(url(token, "cancel"), YES, follow=True)
    page = text(again)
    assert again.status_code == 200
    assert "Your meet-and-greet is cancelled" in page
    assert CANCEL_BUTTON not in page and MOVE_BUTTON not in page
    assert snapshot(appointment)[3] == rows_after_first  # no second cancellation message
    moved = client.post(url(token, "move"), {"start": other_free_slot(appointment).start.isoformat()})
    assert moved.status_code == 302
    assert snapshot(appointment)[:3] == (appointment.start, Appointment.Status.CANCELLED_BY_PATIENT, 2)


def test_move_takes_the_new_time_frees_the_old_one_and_keeps_the_link(
    client, booked, django_capture_on_commit_callbacks
):
    appointment, token = booked
    old_start = appointment.start
    new_slot = other_free_slot(appointment)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(token, "move"), {"start": new_slot.start.isoformat()})

    assert response.status_code == 302
    assert response["Location"] == url(token) + "?moved=1"
    appointment.refresh_from_db()
    assert appointment.start == new_slot.start and appointment.version == 2
    assert old_start in [s.start for s in free_slots(tz="America/Los_Angeles", days=10)]
    kinds = set(appointment.notifications.filter(appointment_version=2).values_list("kind", flat=True))
    assert {Kind.RESCHEDULE, Kind.STAFF_RESCHEDULE} <= kinds
    page = client.get(response["Location"])
    assert str(MSG_MOVED) in text(page)
    local = new_slot.start.astimezone(appointment.patient_zone)
    assert f"{local:%B} {local.day}, {local.year}, {local:%-I:%M %p} Pacific Time" in text(page)


def test_moving_onto_a_taken_time_is_refused_and_keeps_the_original(client, booked):
    appointment, token = booked
    taken = other_free_slot(appointment)
    make_appointment(start=taken.start, email="someone.else@example.org")
    before = snapshot(appointment)

    response = client.post(url(token, "move"), {"start": taken.start.isoformat()})

    assert response.status_code == 200
    page = text(response)
    assert str(services.MSG_TAKEN) in page or str(services.MSG_UNAVAILABLE) in page
    assert MOVE_BUTTON in page  # the nearby free times are offered
    assert snapshot(appointment) == before


def test_a_time_not_from_the_list_is_refused_with_a_clear_message(client, booked):
    appointment, token = booked
    before = snapshot(appointment)

    for value in ["", "tomorrow", "2031-01-01T09:00"]:
        response = client.post(url(token, "move"), {"start": value})
        assert response.status_code == 200
        assert str(MSG_CHOOSE_TIME) in text(response)
    assert snapshot(appointment) == before


def test_cancel_and_move_need_a_post_with_csrf(booked):
    appointment, token = booked
    strict = Client(enforce_csrf_checks=True)
    before = snapshot(appointment)

    assert strict.post(url(token, "cancel"), YES).status_code == 403
    assert strict.get(url(token, "cancel")).status_code == 405
    assert strict.get(url(token, "move")).status_code == 405
    assert snapshot(appointment) == before


def test_after_the_start_the_link_shows_a_clear_expired_page_and_changes_nothing(client, db):
    start = (timezone.now() - timedelta(minutes=5)).replace(second=0, microsecond=0)
    appointment, token = book(start=start)
    before = snapshot(appointment)

    response = client.get(url(token))
    post = client.post(url(token, "cancel"), YES, follow=True)

    assert response.status_code == 410
    assert "This link has expired" in text(response)
    assert "Traceback" not in text(response)
    assert post.status_code == 410
    assert snapshot(appointment) == before


@pytest.mark.parametrize("token", ["forged-token-0123456789abcdefghij", "x", "A" * 200])
def test_a_wrong_token_is_the_sites_plain_404(client, booked, token):
    response = client.get(url(token))

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "We couldn't find that page" in text(response)
    assert client.post(url(token, "cancel")).status_code == 404


def test_guessing_is_rate_limited_per_client(client, booked):
    _, token = booked
    for _ in range(LOOKUPS_PER_WINDOW):
        assert client.get(url("guess")).status_code == 404

    blocked = client.get(url(token))

    assert blocked.status_code == 429
    assert "Please wait a few minutes" in text(blocked)
    other_client = Client(REMOTE_ADDR="203.0.113.9")
    assert other_client.get(url(token)).status_code == 200


# --- How we'll reach you -------------------------------------------------------------


def test_the_patient_corrects_the_phone_number_and_staff_hear_without_patient_details(
    client, booked, django_capture_on_commit_callbacks
):
    from clinic.models import AuditEvent

    appointment, token = booked
    page = client.get(url(token))
    assert "(•••) •••-0187" in text(page)  # the number given at booking, partly masked
    assert f'action="{url(token, "contact")}"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(token, "contact"), {"phone": "(212) 555-0142", "contact_method": "phone"})

    assert response.status_code == 302 and response["Location"] == url(token) + "?changed=1"
    appointment.refresh_from_db()
    assert appointment.phone == "+12125550142" and appointment.version == 2
    after = text(client.get(response["Location"]))
    assert "(•••) •••-0142" in after and "Thank you" in after
    [event] = AuditEvent.objects.filter(object_id=str(appointment.pk))
    assert (event.action, event.fields, event.username) == ("change", ["phone"], "")
    assert "0142" not in event.detail and "0187" not in event.detail
    [alert] = [m for m in mail.outbox if m.to == ["staff@localhost"]]
    assert "contact details changed" in alert.subject
    for secret in ("0142", "0187", "Zelda", "zelda"):
        assert secret not in alert.subject and secret not in alert.body


def test_switching_to_video_rewrites_the_pending_reminder_and_keeps_it_due(client, booked):
    appointment, token = booked

    client.post(url(token, "contact"), {"phone": "", "contact_method": "video"})

    appointment.refresh_from_db()
    assert appointment.contact_method == "video" and appointment.phone == "+12125550187"
    [reminder] = appointment.notifications.filter(kind=Kind.REMINDER, status="pending")
    assert reminder.appointment_version == appointment.version
    assert "by video" in reminder.body_text and "will call you" not in reminder.body_text
    assert reminder.send_after == appointment.start - timedelta(hours=24)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "212-555-CALL", "contact_method": "phone"}, "letters (as in 212-555-CALL)"),
        ({"phone": "+44 20 7946 0958", "contact_method": "phone"}, "Please enter a US phone number"),
        ({"phone": "", "contact_method": "pigeon"}, "Please choose a phone call or a video call."),
    ],
)
def test_a_bad_contact_change_gets_a_clear_message_and_changes_nothing(client, booked, data, message):
    appointment, token = booked
    before = snapshot(appointment)

    response = client.post(url(token, "contact"), data)

    assert response.status_code == 200
    assert message in text(response)
    assert snapshot(appointment) == before


def test_the_contact_change_needs_a_post(client, booked):
    appointment, token = booked
    before = snapshot(appointment)

    response = client.get(url(token, "contact"))

    assert response.status_code == 405 and "Nothing was changed" in text(response)
    assert snapshot(appointment) == before


# --- The video call ----------------------------------------------------------------------


ROOM = "https://telehealth.example/dr-p"


@pytest.fixture
def video_room(db):
    from clinic import practice
    from clinic.models import PracticeProfile

    PracticeProfile.objects.update_or_create(pk=1, defaults={"video_room_url": ROOM})
    practice.forget_profile()
    yield ROOM
    practice.forget_profile()


@pytest.mark.parametrize(
    ("minutes_to_start", "status", "shown"),
    [(60, 200, False), (16, 200, False), (14, 200, True), (0, 200, True), (-9, 200, True), (-11, 410, False)],
)
def test_join_the_video_call_shows_from_15_minutes_before_the_start_to_its_end(
    client, video_room, minutes_to_start, status, shown
):
    start = timezone.now() + timedelta(minutes=minutes_to_start)
    appointment, token = book(start=start, contact_method="video")

    response = client.get(url(token))

    assert response.status_code == status
    html = response.content.decode()
    assert (">Join the video call</a>" in html) is shown
    assert (f'href="{ROOM}"' in html) is shown


def test_no_join_button_for_a_phone_call_or_without_a_room(client, video_room):
    from clinic import practice
    from clinic.models import PracticeProfile

    start = timezone.now() + timedelta(minutes=5)
    _, phone_token = book(start=start, contact_method="phone")
    PracticeProfile.objects.filter(pk=1).update(video_room_url="")
    practice.forget_profile()
    _, video_token = book(start=start + timedelta(minutes=10), contact_method="video")

    assert ">Join the video call</a>" not in client.get(url(phone_token)).content.decode()
    page = client.get(url(video_token)).content.decode()
    assert ">Join the video call</a>" not in page
    assert "the doctor will email you a link to join" in page
