"""Hostile input to the booking pages and the manage link: refused with a clear page, never a 500,
and nothing stored about a refused visitor."""

import pytest
from django.test import Client

from scheduling import services
from scheduling.models import Appointment, Notification, Throttle
from scheduling.public.forms import parse_instant
from scheduling.public.manage_forms import MSG_CHOOSE_TIME
from tests.html import visible_text
from tests.scheduling.factories import booking_data, free_slots, open_every_day
from tests.scheduling.notify_factories import book

pytestmark = pytest.mark.django_db

DETAILS = "/book/details/"

# Instants no booking can be at, some past the last date Python can shift by an offset or a day.
FAR_OFF_INSTANTS = [
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:50:00+00:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+05:00",
    "1900-01-01T09:00:00-05:00",
    "2999-01-01T09:00:00-05:00",
]


def text_of(response) -> str:
    return visible_text(response.content.decode())


@pytest.fixture(autouse=True)
def _hours():
    open_every_day()


@pytest.mark.parametrize("instant", FAR_OFF_INSTANTS)
def test_far_off_instants_are_not_instants_a_booking_can_have(instant):
    assert parse_instant(instant) is None


@pytest.mark.parametrize("instant", FAR_OFF_INSTANTS)
def test_details_for_a_far_off_time_goes_back_to_the_times_with_no_longer_available(client, instant):
    response = client.get(DETAILS, {"state": "NY", "tz": "America/New_York", "start": instant}, follow=True)

    assert response.status_code == 200
    assert str(services.MSG_UNAVAILABLE) in text_of(response)


@pytest.mark.parametrize("instant", FAR_OFF_INSTANTS)
def test_booking_a_far_off_time_is_refused_and_stores_nothing(client, instant):
    response = client.post(DETAILS, {**booking_data(free_slots()[0].start), "start": instant})

    assert response.status_code == 200
    assert "Please choose a time from the list." in text_of(response)
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize("instant", FAR_OFF_INSTANTS)
def test_moving_to_a_far_off_time_is_refused_and_changes_nothing(client, instant):
    appointment, token = book(start=free_slots()[-1].start)
    version = appointment.version

    response = client.post(f"/book/manage/{token}/move/", {"start": instant})

    assert response.status_code == 200
    assert str(MSG_CHOOSE_TIME) in text_of(response)
    appointment.refresh_from_db()
    assert appointment.version == version


NO_LETTER_NAMES = ["\u200b\u200b", "\u200b", "\u200e\u200f", "\u2060 \ufeff", "...", "12 34", "🌻"]


@pytest.mark.parametrize("name", NO_LETTER_NAMES)
def test_a_name_without_a_single_letter_is_refused(client, name):
    response = client.post(DETAILS, booking_data(free_slots()[0].start, full_name=name))

    assert response.status_code == 200
    assert "Please enter your name." in text_of(response)
    assert Appointment.objects.count() == 0


def test_a_refused_out_of_state_post_stores_nothing_not_even_a_rate_limit_counter(client):
    response = client.post(DETAILS, booking_data(free_slots()[0].start, state="FL"), follow=True)

    assert "1-800-662-4357" in text_of(response)
    assert Appointment.objects.count() == 0
    assert Notification.objects.count() == 0
    assert Throttle.objects.count() == 0


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "utf-32", "utf-7", "cp500"])
def test_a_form_in_another_charset_than_utf8_gets_the_sites_400_page(charset):
    appointment, token = book(start=free_slots()[-1].start)
    strict = Client(enforce_csrf_checks=True)
    strict.get("/admin/login/")  # a valid CSRF cookie, as a browser would have
    csrf = strict.cookies["csrftoken"].value
    content_type = f"application/x-www-form-urlencoded; charset={charset}"

    for path in [DETAILS, f"/book/manage/{token}/cancel/", "/admin/login/"]:
        response = strict.post(
            path, f"csrfmiddlewaretoken={csrf}&state=NY", content_type=content_type, HTTP_X_CSRFTOKEN=csrf
        )

        assert response.status_code == 400, path
        text = text_of(response)
        assert "could not be read" in text
        assert "988" in text  # the site's own page, with its crisis notice
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def test_the_confirmation_address_does_not_reveal_how_many_bookings_there_are(client):
    from django.core import signing

    from scheduling.public.views import CONFIRMED_SALT

    slots = free_slots()
    response = client.post(DETAILS, booking_data(slots[0].start))
    appointment = Appointment.objects.get()
    signed = response.url.rstrip("/").rsplit("/", 1)[-1]

    assert client.get(response.url).status_code == 200
    # The signed value is readable by anyone: it must not be the sequential primary key.
    assert not isinstance(signing.loads(signed, salt=CONFIRMED_SALT), int)
    # And an address signing a primary key (as before) opens nothing.
    by_primary_key = signing.dumps(appointment.pk, salt=CONFIRMED_SALT)
    assert client.get(f"/book/confirmed/{by_primary_key}/").status_code == 404
