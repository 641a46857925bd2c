"""After booking, on a 390x844 phone: Back from the confirmation, the manage link's steps
(cancel asks once, change the time is its own page), a GET on a POST-only address, and a form
sent too often. Each page is checked with axe."""

import re
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.booking import fill_details, submit_details
from tests.e2e.helpers import assert_accessible, assert_no_console_errors
from tests.e2e.test_manage_and_admin import PACIFIC, book_first_free_time

pytestmark = pytest.mark.e2e

PHONE_390 = {"width": 390, "height": 844}
NO_LONGER_AVAILABLE = re.compile("no longer available", re.IGNORECASE)


@pytest.fixture
def phone(new_page, settings):
    settings.BOOKING_FORM_MIN_SECONDS = 0
    return new_page(viewport=PHONE_390, is_mobile=True, has_touch=True, timezone_id=PACIFIC)


def first_free_start():
    from django.utils import timezone

    from scheduling import selectors
    from tests.e2e.helpers import open_every_day

    open_every_day()
    today = timezone.now().astimezone(ZoneInfo(PACIFIC)).date()
    return selectors.patient_slots(tz=PACIFIC, start=today, days=7)[0].start


def details_url(start) -> str:
    query = {"state": "CA", "tz": PACIFIC, "start": start.isoformat()}
    return f"{reverse('scheduling:details')}?{urlencode(query)}"


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_back_from_the_confirmation_says_you_are_booked_not_no_longer_available(phone):
    start = first_free_start()
    phone.goto(details_url(start))
    fill_details(phone, full_name="Pat Example", email="pat@example.com")
    submit_details(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text("You're booked")
    assert_accessible(phone)
    confirmation = phone.url

    phone.go_back()

    expect(phone.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(phone.locator("main")).not_to_contain_text(NO_LONGER_AVAILABLE)
    assert_accessible(phone)
    assert_no_console_errors(phone)
    phone.get_by_role("link", name="See your booking").click()
    expect(phone).to_have_url(confirmation)


def test_cancelling_asks_once_and_only_yes_cancel_cancels(phone):
    from scheduling.models import Appointment

    booking = book_first_free_time()
    start, zone = booking.appointment.start, ZoneInfo(PACIFIC)
    local = start.astimezone(zone)
    hour = local.hour % 12 or 12
    question = (
        f"Cancel your meet-and-greet on {local:%A, %B} {local.day} at {hour}:{local:%M %p} Pacific Time?"
    )
    manage_url = reverse("scheduling:manage", args=[booking.manage_token])

    phone.goto(manage_url)
    cancel = phone.get_by_role("link", name="Cancel my meet-and-greet")
    change = phone.get_by_role("link", name="Change the time")
    # Both ways on are on the first screen of a phone, with no list of times to scroll past.
    assert in_viewport(phone, cancel) and in_viewport(phone, change)
    assert_accessible(phone)

    cancel.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(question)
    assert_accessible(phone)
    phone.get_by_role("link", name="Keep it").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your meet-and-greet")
    assert Appointment.objects.get().status == Appointment.Status.CONFIRMED

    phone.get_by_role("link", name="Cancel my meet-and-greet").click()
    phone.get_by_role("button", name="Yes, cancel").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Your meet-and-greet is cancelled")
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED_BY_PATIENT
    assert_accessible(phone)
    assert_no_console_errors(phone)


def test_the_change_time_step_and_a_get_on_a_post_only_address_are_pages_of_the_site(phone):
    booking = book_first_free_time()
    token = booking.manage_token

    phone.goto(reverse("scheduling:manage", args=[token]))
    phone.get_by_role("link", name="Change the time").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Change the time")
    expect(phone.get_by_role("button", name="Move my meet-and-greet to this time")).to_have_count(1)
    assert_accessible(phone)

    response = phone.goto(reverse("scheduling:manage-cancel", args=[token]))
    assert response.status == 405
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nothing was changed")
    assert_accessible(phone)
    phone.get_by_role("link", name="Go to your meet-and-greet").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your meet-and-greet")


def test_a_form_sent_too_often_comes_back_with_everything_typed_and_how_long_to_wait(phone, settings):
    from scheduling.models import Appointment

    settings.BOOKING_POSTS_PER_10_MINUTES = 0
    phone.goto(details_url(first_free_start()))
    fill_details(phone, full_name="Pat Example", email="pat@example.com", method="Video call")

    submit_details(phone)

    expect(phone.locator(".throttled")).to_contain_text("Please wait 10 minutes")
    expect(phone.get_by_role("textbox", name="Full name")).to_have_value("Pat Example")
    expect(phone.get_by_role("textbox", name="Email")).to_have_value("pat@example.com")
    expect(phone.get_by_role("radio", name="Video call")).to_be_checked()
    assert Appointment.objects.count() == 0
    assert_accessible(phone)


def test_the_patient_switches_to_video_and_joins_from_the_manage_page_when_the_call_is_near(phone):
    from datetime import timedelta

    from django.utils import timezone

    from clinic import practice
    from clinic.models import PracticeProfile
    from scheduling.models import Appointment

    room = "https://telehealth.example/dr-p"
    PracticeProfile.objects.update_or_create(pk=1, defaults={"video_room_url": room})
    practice.forget_profile()
    booking = book_first_free_time()
    manage_url = reverse("scheduling:manage", args=[booking.manage_token])
    phone.goto(manage_url)
    expect(phone.locator("main")).to_contain_text("(•••) •••-0123")

    phone.get_by_role("radio", name="Video call").check()
    phone.get_by_role("button", name="Save how we'll reach you").click()

    expect(phone.get_by_role("status")).to_contain_text("Thank you")
    assert Appointment.objects.get().contact_method == "video"
    expect(phone.get_by_role("link", name="Join the video call")).to_have_count(0)
    soon = timezone.now() + timedelta(minutes=10)
    Appointment.objects.update(start=soon, end=soon + timedelta(minutes=10))
    phone.goto(manage_url)
    join = phone.get_by_role("link", name="Join the video call")
    expect(join).to_have_attribute("href", room)
    assert in_viewport(phone, join)
    assert_accessible(phone)
    assert_no_console_errors(phone)
