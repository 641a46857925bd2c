"""The public booking flow as a patient sees it: state, zone and time, details, confirmation."""

import logging
import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from scheduling import messages, services
from scheduling.models import Appointment, TimeOff
from scheduling.public.forms import (
    MSG_CONFIRM_NOT_EMERGENCY,
    MSG_CONFIRM_RESIDENCE,
    MSG_FORM_EXPIRED,
    MSG_NO_CONTROL_CHARACTERS,
    MSG_PHONE,
    MSG_PHONE_LETTERS,
    MSG_TOO_FAST,
)
from tests.html import visible_text
from tests.scheduling.factories import booking_data, form_token, free_slots, make_appointment, open_every_day

pytestmark = pytest.mark.django_db

DETAILS = "/book/details/"
# Rate limit 1, booking transaction 12 (with the two locks, the check with its busy times and one
# INSERT for the three messages; no savepoint around the appointment's INSERT; SQLite has no
# locks), marking the two messages sent 1 (one UPDATE for both), and the practice's contact
# details for the email footer 1 (read once, then from the cache; the test starts with it cold).
QUERIES_PER_BOOKING = 15


@pytest.fixture(autouse=True)
def _hours():
    open_every_day()


def text_of(response) -> str:
    return visible_text(response.content.decode())


def test_step_one_asks_for_the_state_of_residence(client):
    response = client.get("/book/")

    assert response.status_code == 200
    text = text_of(response)
    assert "Which state do you live in?" in text
    for state in ("New York", "Texas", "California", "Another state"):
        assert state in text


@pytest.mark.parametrize("state", ["other", "FL", "ny; drop table", "<script>"])
def test_another_state_or_a_tampered_value_leads_to_the_referral_page_and_stores_nothing(client, state):
    response = client.get("/book/", {"state": state}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("scheduling:outside")
    text = text_of(response)
    assert "988" in text
    assert "1-800-662-4357" in text
    assert "findtreatment.gov" in text
    assert Appointment.objects.count() == 0


def test_choosing_a_state_shows_times_in_its_zone_with_the_clinic_time_beside(client):
    response = client.get("/book/", {"state": "CA", "tz": ""}, follow=True)

    assert response.status_code == 200
    text = text_of(response)
    assert "Times are shown in Pacific Time" in text
    assert "At the clinic (Eastern Time)" in text  # the clinic's time, once for the day


def test_browser_zone_is_used_when_it_belongs_to_the_state(client):
    response = client.get("/book/", {"state": "TX", "tz": "America/Denver"}, follow=True)

    assert "Times are shown in Mountain Time (El Paso and Hudspeth counties)" in text_of(response)


def test_browser_zone_outside_the_state_falls_back_to_the_states_zone(client):
    response = client.get("/book/", {"state": "NY", "tz": "America/Los_Angeles"}, follow=True)

    text = text_of(response)
    assert "Times are shown in Eastern Time" in text
    assert "At the clinic" not in text  # same zone as the clinic: nothing beside


def test_times_page_lists_days_with_their_times_in_the_patients_zone(client):
    first = free_slots("America/Los_Angeles")[0]
    local = first.start.astimezone(zoneinfo.ZoneInfo("America/Los_Angeles"))
    clinic = first.start.astimezone(zoneinfo.ZoneInfo("America/New_York"))

    response = client.get("/book/times/", {"state": "CA", "tz": "America/Los_Angeles"})

    text = text_of(response)
    assert f"{local:%A, %B} {local.day}" in text
    # The clock time shows; the clinic's is said for the day (and in each time's name, see
    # test_time_picker.py).
    assert f"{local:%-I:%M %p} Pacific Time, {clinic:%-I:%M %p} Eastern Time at the clinic" in text
    assert "At the clinic (Eastern Time) it is 3 hours later." in text
    assert f'value="{first.start.isoformat()}"' in response.content.decode()


def test_switching_texas_to_mountain_time_shifts_times_by_one_hour_against_central(client):
    central = client.get("/book/times/", {"state": "TX", "tz": "America/Chicago"})
    mountain = client.get("/book/times/", {"state": "TX", "tz": "America/Denver"})

    first_central = free_slots("America/Chicago")[0].start
    shown_central = first_central.astimezone(zoneinfo.ZoneInfo("America/Chicago"))
    shown_mountain = first_central.astimezone(zoneinfo.ZoneInfo("America/Denver"))
    assert shown_central.hour - shown_mountain.hour == 1
    assert f"{shown_central:%-I:%M %p} Central Time (most of Texas), " in text_of(central)
    assert f"{shown_mountain:%-I:%M %p} Mountain Time (El Paso and Hudspeth counties), " in text_of(mountain)


@pytest.mark.parametrize(
    "params",
    [
        {"state": "TX", "tz": "Europe/Paris"},
        {"state": "NY", "start": "2026-02-31"},
        {"state": "CA", "start": "x"},
    ],
)
def test_bad_times_parameters_restart_the_week_in_the_states_zone(client, params):
    response = client.get("/book/times/", params, follow=True)

    assert response.status_code == 200
    assert "Choose a time" in text_of(response)


def test_details_for_a_time_that_is_not_offered_goes_back_with_a_message(client):
    not_offered = datetime(2020, 1, 1, 15, tzinfo=UTC).isoformat()

    response = client.get(
        DETAILS, {"state": "NY", "tz": "America/New_York", "start": not_offered}, follow=True
    )

    assert str(services.MSG_UNAVAILABLE) in text_of(response)


@pytest.mark.parametrize(
    "tz", ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
)
def test_booking_in_each_zone_confirms_the_local_time_and_the_clinic_time(client, tz):
    state = {"America/New_York": "NY", "America/Chicago": "TX", "America/Denver": "TX"}.get(tz, "CA")
    slot = free_slots(tz)[0]

    form_page = client.get(DETAILS, {"state": state, "tz": tz, "start": slot.start.isoformat()})
    assert form_page.status_code == 200
    response = client.post(DETAILS, booking_data(slot.start, state=state, tz=tz), follow=True)

    appointment = Appointment.objects.get()
    assert appointment.start == slot.start
    assert appointment.time_zone == tz
    assert appointment.phone == "+12125550143"
    local = slot.start.astimezone(zoneinfo.ZoneInfo(tz))
    text = text_of(response)
    assert "You're booked" in text
    assert f"{local:%A, %B} {local.day}, {local.year} at {local:%-I:%M %p}" in text
    if tz != "America/New_York":
        clinic = slot.start.astimezone(zoneinfo.ZoneInfo("America/New_York"))
        assert f"That is {clinic:%-I:%M %p} Eastern Time" in text
    # The confirmation URL carries no personal data.
    url = response.redirect_chain[-1][0]
    assert "example.com" not in url and "%40" not in url and "5550143" not in url and "P%C3%A9rez" not in url


def slot_ahead(hours: float):
    return next(s for s in free_slots(days=10) if s.start - datetime.now(UTC) >= timedelta(hours=hours))


def test_the_confirmation_page_promises_the_day_before_reminder_it_queued(client):
    response = client.post(DETAILS, booking_data(slot_ahead(48).start), follow=True)

    assert "You're booked" in text_of(response)
    assert messages.MSG_REMINDER_DAY_BEFORE in text_of(response)


def test_a_call_booked_too_late_for_the_day_before_gets_the_late_reminder_and_the_page_says_so(
    client, monkeypatch
):
    # Whatever the hour now, the first free time may be more than 36 hours off: move the line.
    monkeypatch.setattr(messages, "DAY_BEFORE_MIN_NOTICE", timedelta(days=365))

    response = client.post(DETAILS, booking_data(slot_ahead(6).start), follow=True)

    text = text_of(response)
    assert messages.MSG_REMINDER_LATE in text
    assert "The day before" not in text


def test_the_confirmation_page_promises_no_reminder_when_none_is_queued(client):
    booked = client.post(DETAILS, booking_data(slot_ahead(48).start))
    Appointment.objects.get().notifications.filter(kind="reminder").delete()

    confirmation = client.get(booked.url)

    assert "You're booked" in text_of(confirmation)
    assert "reminder" not in text_of(confirmation)


def test_the_confirmation_page_shows_the_number_the_doctor_will_call_partly_masked(client):
    response = client.post(DETAILS, booking_data(free_slots()[0].start, phone="(212) 555-0142"), follow=True)

    text = text_of(response)
    assert "the doctor will call you at (•••) •••-0142" in text
    assert "555" not in text and "212" not in text


def test_back_from_the_confirmation_says_you_are_booked_with_the_way_to_it(client):
    slot = free_slots()[0]
    query = {"state": "NY", "tz": "America/New_York", "start": slot.start.isoformat()}
    booked = client.post(DETAILS, booking_data(slot.start))

    back = client.get(DETAILS, query, follow=True)

    text = text_of(back)
    assert "You're booked" in text
    assert str(services.MSG_UNAVAILABLE) not in text
    assert f'href="{booked.url}"' in back.content.decode()


def test_another_browser_or_a_forged_cookie_still_hears_the_time_is_taken(client):
    slot = free_slots()[0]
    query = {"state": "NY", "tz": "America/New_York", "start": slot.start.isoformat()}
    client.post(DETAILS, booking_data(slot.start))

    other = Client()
    assert str(services.MSG_UNAVAILABLE) in text_of(other.get(DETAILS, query, follow=True))
    other.cookies["just_booked"] = "forged:value"
    assert str(services.MSG_UNAVAILABLE) in text_of(other.get(DETAILS, query, follow=True))


def test_errors_are_listed_at_the_top_linked_to_their_fields_and_input_is_kept(client):
    slot = free_slots()[0]
    data = booking_data(slot.start, phone="12", confirm_residence="", confirm_not_emergency="")

    response = client.post(DETAILS, data)

    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "Please fix 3 things to continue" in text
    assert str(MSG_PHONE) in text
    assert str(MSG_CONFIRM_RESIDENCE) in text
    assert str(MSG_CONFIRM_NOT_EMERGENCY) in text
    assert 'href="#id_phone"' in html
    assert 'value="Ana Lucía Pérez"' in html
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "Eve\r\nBcc: victim@example.com", MSG_NO_CONTROL_CHARACTERS),
        ("full_name", "x" * 101, "Please shorten your name to 100 characters."),
        ("full_name", "Nul\x00Byte", "Null characters are not allowed."),
        (
            "email",
            "ana@example.com\r\nBcc: victim@example.com",
            "Please enter an email address like name@example.com.",
        ),
        ("phone", "+44 20 7946 0958", MSG_PHONE),
        ("phone", "(212) 555-01", MSG_PHONE),
        ("phone", "212-555-CALL", MSG_PHONE_LETTERS),
        ("phone", "1-800-FLOWERS", MSG_PHONE_LETTERS),
        ("note", "n" * 501, "Please shorten your note to 500 characters."),
        ("contact_method", "carrier pigeon", "Please choose a phone call or a video call."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, field, value, message):
    slot = free_slots()[0]

    response = client.post(DETAILS, booking_data(slot.start, **{field: value}))

    assert response.status_code == 200
    assert str(message) in text_of(response)
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("name", ["李小龙", "Zoë O'Connor-Núñez 🌻", "Александра Петрова"])
def test_non_latin_names_and_emoji_are_welcome(client, name):
    slot = free_slots()[0]

    client.post(DETAILS, booking_data(slot.start, full_name=name))

    assert Appointment.objects.get().full_name == name


def test_a_tampered_state_in_the_form_is_refused_and_nothing_is_stored(client):
    slot = free_slots()[0]

    response = client.post(DETAILS, booking_data(slot.start, state="FL"), follow=True)

    assert "1-800-662-4357" in text_of(response)
    assert Appointment.objects.count() == 0


def test_a_zone_of_another_state_is_refused(client):
    slot = free_slots()[0]

    response = client.post(DETAILS, booking_data(slot.start, state="NY", tz="America/Los_Angeles"))

    assert "Please choose a time zone from the list." in text_of(response)
    assert Appointment.objects.count() == 0


def test_a_tampered_or_stale_time_gets_no_longer_available_with_the_nearest_free_times(client):
    slots = free_slots()
    tampered = slots[0].start + timedelta(minutes=3)

    response = client.post(DETAILS, booking_data(tampered))

    text = text_of(response)
    assert str(services.MSG_UNAVAILABLE) in text
    assert "Choose another time" in text
    assert f'value="{slots[0].start.isoformat()}"' in response.content.decode()
    assert Appointment.objects.count() == 0


def test_a_time_taken_meanwhile_is_just_taken_with_other_times_and_input_kept(client):
    slot = free_slots()[0]
    make_appointment(start=slot.start, end=slot.end)

    response = client.post(DETAILS, booking_data(slot.start))

    text = text_of(response)
    assert str(services.MSG_TAKEN) in text
    assert "Choose another time" in text
    html = response.content.decode()
    assert 'value="ana@example.com"' in html
    assert f'type="hidden" name="start" value="{slot.start.isoformat()}"' not in html  # only the new choices
    assert Appointment.objects.count() == 1


def test_after_losing_a_time_choosing_an_offered_one_books_it(client):
    slot = free_slots()[0]
    make_appointment(start=slot.start, end=slot.end)
    refused = client.post(DETAILS, booking_data(slot.start))
    other = refused.context["nearby"][0].start

    response = client.post(DETAILS, booking_data(other), follow=True)

    assert "You're booked" in text_of(response)
    assert Appointment.objects.filter(email="ana@example.com", start=other).exists()


def test_step_one_sent_without_a_choice_says_what_to_do(client):
    response = client.get("/book/", {"tz": "America/Chicago"})

    assert "Please choose the state you live in." in text_of(response)
    assert "Error:" in response.content.decode().split("</title>")[0]


def test_a_second_upcoming_booking_for_one_email_points_to_the_emailed_manage_link(client):
    first, second = free_slots()[0], free_slots()[5]
    client.post(DETAILS, booking_data(first.start))

    response = client.post(DETAILS, booking_data(second.start, email="ANA@example.com"))

    text = text_of(response)
    assert "You already have a meet-and-greet" in text
    assert "/book/manage/" not in response.content.decode()  # emailed, never shown
    assert Appointment.objects.count() == 1


def test_every_further_attempt_with_the_same_email_books_nothing_even_after_the_link_email_went_out(
    client,
):
    from scheduling.models import Notification

    slots = free_slots()
    client.post(DETAILS, booking_data(slots[0].start))
    client.post(DETAILS, booking_data(slots[5].start))
    Notification.objects.filter(kind=Notification.Kind.MANAGE_LINK).update(status=Notification.Status.SENT)

    response = client.post(DETAILS, booking_data(slots[9].start))

    assert "You already have a meet-and-greet" in text_of(response)
    assert Appointment.objects.count() == 1
    assert Notification.objects.filter(kind=Notification.Kind.MANAGE_LINK).count() == 1


def test_a_filled_honeypot_looks_like_success_but_stores_nothing(client):
    slot = free_slots()[0]

    response = client.post(DETAILS, booking_data(slot.start, website="http://spam.example"))

    assert response.status_code == 200
    assert "Thank you" in text_of(response)
    assert Appointment.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("token", "message"),
    [("fresh", MSG_TOO_FAST), ("forged:token", MSG_FORM_EXPIRED), ("", MSG_FORM_EXPIRED)],
)
def test_posts_too_fast_or_with_a_forged_token_are_refused(client, token, message):
    slot = free_slots()[0]
    token = form_token(age_seconds=0.5) if token == "fresh" else token

    response = client.post(DETAILS, booking_data(slot.start, form_token=token))

    assert str(message) in text_of(response)
    assert Appointment.objects.count() == 0


def test_an_expired_form_token_is_refused(client):
    slot = free_slots()[0]
    old = form_token(age_seconds=3 * 60 * 60)

    response = client.post(DETAILS, booking_data(slot.start, form_token=old))

    assert str(MSG_FORM_EXPIRED) in text_of(response)


def test_too_many_booking_posts_from_one_client_get_the_form_again_with_their_input_and_a_wait(
    client, settings
):
    settings.BOOKING_POSTS_PER_10_MINUTES = 3
    slot = free_slots()[0]
    data = booking_data(slot.start, phone="1", contact_method="video", note="Evenings are best")

    statuses = [client.post(DETAILS, data).status_code for _ in range(4)]
    refused = client.post(DETAILS, booking_data(slot.start, contact_method="video", note="Evenings are best"))

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert Appointment.objects.count() == 0
    page = text_of(refused)
    assert "Please wait 10 minutes, then send it again" in page
    assert "Nothing was booked" in page
    html = refused.content.decode()
    assert 'value="Ana Lucía Pérez"' in html and 'value="ana@example.com"' in html
    assert 'value="(212) 555-0143"' in html and "Evenings are best" in html
    assert re.search(r'<input[^>]*value="video"[^>]*checked', html)
    assert f'value="{slot.start.isoformat()}"' in html


def test_no_patient_name_or_email_is_logged_during_a_booking(client, caplog):
    slot = free_slots()[0]
    data = booking_data(slot.start, full_name="Zebulon Quartermaine", email="zebulon@example.com")

    with caplog.at_level(logging.DEBUG):
        client.post(DETAILS, data)

    assert Appointment.objects.count() == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Zebulon" not in logged
    assert "zebulon@example.com" not in logged
    assert "5550143" not in logged


def test_the_confirmation_link_expires_and_cannot_be_forged(client):
    response = client.get("/book/confirmed/not-a-signature/")

    assert response.status_code == 404


def test_appointment_str_carries_no_patient_name():
    appointment = make_appointment(full_name="Zebulon Quartermaine")

    assert "Zebulon" not in str(appointment)


@pytest.mark.parametrize("booked_that_day", [0, 20])
def test_a_booking_post_runs_a_fixed_number_of_queries_however_full_its_day_is(
    client, booked_that_day, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Checking the day and writing and sending the messages must not query per appointment of
    the day or per message (N+1): the count is the same with an empty day and a full one."""
    slots = free_slots(days=10)
    target = slots[-1]
    others = [s for s in slots if s.start.date() == target.start.date() and s != target][:booked_that_day]
    assert len(others) == booked_that_day
    for number, slot in enumerate(others):
        make_appointment(slot.start, email=f"other{number}@example.com")
    data = booking_data(target.start)

    with django_assert_max_num_queries(QUERIES_PER_BOOKING), django_capture_on_commit_callbacks(execute=True):
        response = client.post(DETAILS, data)

    assert response.status_code == 302
    assert Appointment.objects.count() == booked_that_day + 1
    assert len(mail.outbox) == 2  # the confirmation and the staff alert, sent after the commit


# With the calendar's settings cached (rules, hours, time off, busy times: read by every booking,
# changed seldom), the booking reads only what it must read fresh: the rate limit, the patient's
# email and lock, the writes, the day locks and the day's taken times, and one UPDATE marking both
# messages sent.
QUERIES_PER_BOOKING_WARM = 10


def test_a_booking_post_reads_the_calendars_settings_from_the_cache_once_they_are_in_it(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Rules, weekly hours, time off and busy times were four queries in every booking POST."""
    first, later = free_slots(days=10)[0], free_slots(days=10)[8]  # the same day, two hours apart
    assert first.start.date() == later.start.date()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(DETAILS, booking_data(first.start, email="first@example.com")).status_code == 302

    with (
        django_assert_max_num_queries(QUERIES_PER_BOOKING_WARM),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(DETAILS, booking_data(later.start, email="second@example.com"))

    assert response.status_code == 302
    assert Appointment.objects.count() == 2


def test_time_off_added_after_the_settings_were_cached_is_honoured_by_the_next_booking(
    client, django_capture_on_commit_callbacks
):
    first, later = free_slots(days=10)[0], free_slots(days=10)[8]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(DETAILS, booking_data(first.start, email="first@example.com")).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        day = later.start.astimezone(zoneinfo.ZoneInfo("America/New_York")).date()
        TimeOff.objects.create(start_date=day, end_date=day, reason="Dentist")

    response = client.post(DETAILS, booking_data(later.start, email="second@example.com"))

    assert response.status_code == 200
    assert str(services.MSG_UNAVAILABLE) in response.content.decode()
    assert Appointment.objects.count() == 1
