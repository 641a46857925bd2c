"""Steps 2 and 3 of booking at cache speed: the times page is rendered once for everyone, the form's
check that a time is offered reads the cached day, and any change to the calendar shows at once."""

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from scheduling.models import TimeOff
from tests.scheduling.factories import free_slots, make_appointment, open_every_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_slot_cache_window")]

NEW_YORK = "America/New_York"


def times_url(**params) -> str:
    return reverse("scheduling:times") + "?" + urlencode({"state": "NY", "tz": NEW_YORK, **params})


def details_url(start: datetime) -> str:
    return (
        reverse("scheduling:details")
        + "?"
        + urlencode({"state": "NY", "tz": NEW_YORK, "start": start.isoformat()})
    )


def fill_calendar(count: int) -> None:
    """`count` confirmed appointments over the coming weeks, on the hour (free times remain between)."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    for n in range(count):
        make_appointment(first + timedelta(hours=n))


@pytest.mark.parametrize("appointments", [0, 40])
def test_a_second_look_at_the_times_page_runs_no_query_whatever_the_calendar_holds(
    client, appointments, django_assert_max_num_queries
):
    """The times page was rendered per request (about 160 time labels); a repeat must come from the cache."""
    open_every_day()
    fill_calendar(appointments)
    first = client.get(times_url())

    with django_assert_max_num_queries(0):
        again = client.get(times_url())

    assert again.status_code == 200
    assert again.content == first.content
    assert b'type="radio" name="start"' in again.content


def test_a_time_just_booked_leaves_the_cached_times_page_at_once(client, django_capture_on_commit_callbacks):
    open_every_day()
    slot = free_slots()[0]
    assert slot.start.isoformat().encode() in client.get(times_url()).content

    with django_capture_on_commit_callbacks(execute=True):
        make_appointment(slot.start)

    assert slot.start.isoformat().encode() not in client.get(times_url()).content


def test_time_off_added_by_staff_empties_the_cached_times_page_at_once(
    client, django_capture_on_commit_callbacks
):
    open_every_day()
    assert b'type="radio" name="start"' in client.get(times_url()).content

    with django_capture_on_commit_callbacks(execute=True):
        today = datetime.now(UTC).date()
        TimeOff.objects.create(start_date=today - timedelta(days=1), end_date=today + timedelta(days=20))

    page = client.get(times_url()).content.decode()
    assert 'type="radio" name="start"' not in page
    assert "There are no free times in these days" in page


def test_far_off_start_dates_share_one_cached_page(client):
    """A hand-made date years ahead shows the last bookable week, like a date just past the horizon."""
    open_every_day()
    far = client.get(times_url(start="2031-01-01"))
    near = client.get(times_url(start=(datetime.now(UTC).date() + timedelta(days=400)).isoformat()))

    assert far.status_code == near.status_code == 200
    assert far.content == near.content


@pytest.mark.parametrize("appointments", [0, 40])
def test_the_booking_form_checks_its_time_against_the_cached_day(
    client, appointments, django_assert_max_num_queries
):
    """Showing the form checked the time with four fresh queries; once the day is cached, none."""
    open_every_day()
    fill_calendar(appointments)
    slot = free_slots()[0]
    client.get(details_url(slot.start))

    with django_assert_max_num_queries(0):
        response = client.get(details_url(slot.start))

    assert response.status_code == 200
    assert 'name="full_name"' in response.content.decode()


def test_the_booking_form_for_a_time_booked_meanwhile_sends_back_to_the_times(
    client, django_capture_on_commit_callbacks
):
    open_every_day()
    slot = free_slots()[0]
    assert client.get(details_url(slot.start)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        make_appointment(slot.start)

    response = client.get(details_url(slot.start))
    assert response.status_code == 302
    assert "unavailable=1" in response["Location"]


def test_the_booking_form_refuses_a_time_inside_the_minimum_notice(client):
    open_every_day(time(0), time(23, 50))
    soon = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=1)

    response = client.get(details_url(soon))

    assert response.status_code == 302
    assert "unavailable=1" in response["Location"]


def test_the_state_page_shows_new_contact_details_at_once(client, django_capture_on_commit_callbacks):
    """It was kept for 60 seconds by Django's cache_page, which no change dropped."""
    from clinic.models import PracticeProfile

    assert "(212) 555-0142" not in client.get(reverse("scheduling:book")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        profile = PracticeProfile.objects.get()
        profile.phone = "(212) 555-0142"
        profile.save()

    assert "(212) 555-0142" in client.get(reverse("scheduling:book")).content.decode()


def page_fields(html: str) -> dict:
    """name -> value of every hidden input of the page."""
    import re

    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def filled_in(fields: dict) -> dict:
    """The form's own fields (tokens, time, state, zone) with the rest filled in as a patient would."""
    return {
        **fields,
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "(212) 555-0123",
        "contact_method": "phone",
        "confirm_residence": "on",
        "confirm_not_emergency": "on",
    }


def test_the_form_is_rendered_once_and_each_visitor_gets_their_own_tokens_and_can_book(client, settings):
    """Rendering the form (crispy's layout) was about 20 ms per visitor; the page for a time is now
    rendered once, and only the CSRF token and the signed form token are each visitor's own."""
    import re

    from django.test import Client

    from scheduling.models import Appointment

    settings.BOOKING_FORM_MIN_SECONDS = 0
    open_every_day()
    slot = free_slots()[0]
    first = client.get(details_url(slot.start))
    visitor = Client(enforce_csrf_checks=True)
    second = visitor.get(details_url(slot.start))

    assert first.status_code == second.status_code == 200
    assert [t.name for t in second.templates] == []  # from the cache, not rendered again
    mine, theirs = page_fields(first.content.decode()), page_fields(second.content.decode())
    assert mine["csrfmiddlewaretoken"] != theirs["csrfmiddlewaretoken"]
    assert mine["form_token"] != theirs["form_token"]
    assert "csrftoken" in second.cookies  # as {% csrf_token %} does
    assert "no-store" in second["Cache-Control"]

    def without_tokens(html: str) -> str:
        return re.sub(r'name="(csrfmiddlewaretoken|form_token)" value="[^"]*"', "", html)

    assert without_tokens(first.content.decode()) == without_tokens(second.content.decode())

    fields = filled_in(theirs)
    booked = visitor.post(reverse("scheduling:details"), fields)
    assert booked.status_code == 302
    assert "/book/confirmed/" in booked["Location"]
    assert Appointment.objects.get().start == slot.start


def test_the_cached_form_is_kept_apart_by_language(client):
    open_every_day()
    slot = free_slots()[0]
    english = client.get(details_url(slot.start))
    spanish = client.get("/es" + details_url(slot.start))

    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="es">' in spanish.content.decode()


def test_what_one_visitor_added_to_the_address_is_never_in_anothers_page(client):
    """The language switch links to this page's plain address, not to the first visitor's."""
    open_every_day()
    slot = free_slots()[0]
    first = client.get(details_url(slot.start) + "&email=someone%40example.com")
    second = client.get(details_url(slot.start))

    assert first.status_code == second.status_code == 200
    assert "someone" not in second.content.decode()
    spanish_address = "/es" + details_url(slot.start).replace("+", "%2B")
    assert spanish_address in second.content.decode().replace("&amp;", "&")


def test_the_times_page_and_the_form_show_new_contact_details_at_once(
    client, django_capture_on_commit_callbacks
):
    """Both are kept for everyone for up to 30 seconds; the footer must not lag a change."""
    from clinic.models import PracticeProfile

    open_every_day()
    slot = free_slots()[0]
    pages = [times_url(), details_url(slot.start)]
    for page in pages:
        assert "(212) 555-0142" not in client.get(page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        profile = PracticeProfile.objects.get()
        profile.phone = "(212) 555-0142"
        profile.save()

    for page in pages:
        assert "(212) 555-0142" in client.get(page).content.decode(), page


def test_a_second_look_at_the_form_checks_its_time_and_reads_the_page_in_one_cache_round_trip(
    client, monkeypatch
):
    """The check that the time is offered and the cached page were two round trips."""
    from clinic import cache as versioned

    open_every_day()
    slot = free_slots()[0]
    client.get(details_url(slot.start))
    calls, inside = [], []
    for method in ("get", "get_many", "set", "add"):
        original = getattr(versioned.cache, method)

        def counted(*args, _method=method, _original=original, **kwargs):
            if not inside:  # the test's cache (local memory) answers get_many with its own gets
                calls.append(_method)
            inside.append(1)
            try:
                return _original(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(versioned.cache, method, counted)

    response = client.get(details_url(slot.start))

    assert response.status_code == 200
    assert 'name="full_name"' in response.content.decode()
    assert calls == ["get_many"]


def test_the_times_page_reads_the_sites_own_links_without_building_the_query_form(client, monkeypatch):
    """Building SlotQueryForm cost more than serving the cached page it led to."""
    from scheduling.public import views

    open_every_day()
    expected = client.get(times_url(start=datetime.now(UTC).date().isoformat())).content

    def no_form(*args, **kwargs):
        raise AssertionError("the query form was built for a plain link")

    monkeypatch.setattr(views.SlotQueryForm, "__init__", no_form)
    response = client.get(times_url(start=datetime.now(UTC).date().isoformat()))

    assert response.status_code == 200
    assert response.content == expected


@pytest.mark.parametrize(
    "params",
    [
        {"state": "NY"},
        {"state": "NY", "tz": ""},
        {"state": "NY", "tz": "America/Chicago"},  # another state's zone: the state's own
        {"state": "TX", "tz": "America/Denver"},
        {"state": "CA", "tz": "America/Los_Angeles", "start": "2031-01-01"},
        {"state": "TX", "tz": "America/Denver", "start": "2020-02-29"},
        {"state": "NY", "tz": "America/New_York", "start": "2026-02-30"},  # not a date
        {"state": "NY", "tz": "America/New_York", "start": " 2031-01-01"},  # not the plain way
        {"state": "NY", "tz": "Europe/Paris"},  # not a zone of the list
    ],
)
def test_the_plain_reading_of_the_times_query_answers_as_the_form_does(client, monkeypatch, params):
    from scheduling.public.forms import SlotQueryForm

    open_every_day()
    url = reverse("scheduling:times") + "?" + urlencode(params)
    plain = client.get(url)
    monkeypatch.setattr(SlotQueryForm, "plain", classmethod(lambda cls, query: None))
    by_form = client.get(url)

    assert (plain.status_code, plain.get("Location"), plain.content) == (
        by_form.status_code,
        by_form.get("Location"),
        by_form.content,
    )


def test_a_returning_visitor_keeps_their_csrf_secret_and_can_book(client, settings):
    """The shared booking form gets each visitor's own CSRF token: a visitor who already has the CSRF
    cookie keeps it, every page masks it anew, and the form books with the CSRF check on."""
    from django.middleware.csrf import _unmask_cipher_token

    from scheduling.models import Appointment

    settings.BOOKING_FORM_MIN_SECONDS = 0
    open_every_day()
    first_slot, second_slot = free_slots()[:2]
    visitor = Client(enforce_csrf_checks=True)
    first = visitor.get(details_url(first_slot.start))
    secret = first.cookies["csrftoken"].value
    second = visitor.get(details_url(second_slot.start))

    assert second.cookies["csrftoken"].value == secret
    tokens = [page_fields(page.content.decode())["csrfmiddlewaretoken"] for page in (first, second)]
    assert tokens[0] != tokens[1]  # masked anew for every page
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    fields = filled_in(page_fields(second.content.decode()))
    booked = visitor.post(reverse("scheduling:details"), fields)
    assert booked.status_code == 302
    assert Appointment.objects.get().start == second_slot.start
