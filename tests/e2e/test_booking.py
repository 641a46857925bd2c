"""Booking a meet-and-greet in a real browser: the patients' journeys, and each step's accessibility."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.booking import (
    CTA,
    TAKEN,
    choose_state,
    clinic_zone,
    clock,
    fill_details,
    free_times,
    long_date,
    pick_first_free_time,
    shown_times,
    submit_details,
    times_by_instant,
)
from tests.e2e.helpers import (
    PHONE_VIEWPORT,
    assert_accessible,
    assert_no_console_errors,
    open_every_day,
    scroll_overflow,
)

pytestmark = pytest.mark.e2e

ARTICLE_URL = "/articles/naltrexone-for-opioid-addiction/"
PACIFIC = ZoneInfo("America/Los_Angeles")
CENTRAL = ZoneInfo("America/Chicago")
MOUNTAIN = ZoneInfo("America/Denver")


@pytest.fixture
def calendar(settings):
    """Open hours every day (so no journey depends on today's weekday)."""
    # The form refuses a submit within 2 seconds of showing it (bots are that fast, and so is a
    # test); how fast a person types is not what these journeys check.
    settings.BOOKING_FORM_MIN_SECONDS = 0
    open_every_day()


def test_patient_in_los_angeles_books_from_the_article_and_sees_her_own_time(new_page, calendar):
    """Journey 1: article -> call to action -> California -> Pacific preselected -> first time -> booked."""
    from education import seed
    from scheduling.models import Appointment, Notification

    seed.run()
    page = new_page(timezone_id="America/Los_Angeles")
    page.goto(ARTICLE_URL)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Naltrexone")

    page.locator("main").get_by_role("link", name=CTA).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CTA)
    assert_accessible(page)

    choose_state(page, "California")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    # California has one zone: it is said, not offered as a choice.
    expect(page.locator(".zone-name")).to_have_text("Pacific Time")
    expect(page.get_by_label("Show times in")).to_have_count(0)
    assert_accessible(page)

    first = shown_times(page).first
    instant = datetime.fromisoformat(first.get_attribute("value"))
    assert instant >= datetime.now(tz=PACIFIC) + timedelta(hours=24), "the default minimum notice is 24 hours"
    # The button shows the time on a Los Angeles clock; its name says the clinic's too.
    shown = first.locator("xpath=..").evaluate(
        "label => label.querySelector('.choice-text').firstChild.textContent"
    )
    assert shown.strip() == clock(instant, PACIFIC)
    expect(first).to_have_accessible_name(
        f"{clock(instant, PACIFIC)} Pacific Time, {clock(instant, clinic_zone())} Eastern Time at the clinic"
    )

    assert pick_first_free_time(page) == instant
    picked_local = f"{long_date(instant, PACIFIC)} at {clock(instant, PACIFIC)} Pacific Time"
    expect(page.locator("main")).to_contain_text(picked_local)
    assert_accessible(page)

    fill_details(page, full_name="Maria Lopez", email="maria@example.com", method="Video call")
    submit_details(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    main = page.locator("main")
    expect(main).to_contain_text(picked_local)
    expect(main).to_contain_text(f"That is {clock(instant, clinic_zone())} Eastern Time, the clinic's time.")
    assert_accessible(page)
    assert_no_console_errors(page)

    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.state, appointment.time_zone) == (
        instant,
        "CA",
        "America/Los_Angeles",
    )
    email = Notification.objects.get(appointment=appointment, kind="confirmation")
    assert email.recipient == "maria@example.com"
    # format_when's wording: "Thursday, November 26, 2026, 6:00 AM Pacific Time".
    assert (
        f"{long_date(instant, PACIFIC)}, {clock(instant, PACIFIC)} Pacific Time (your time)"
        in email.body_text
    )
    clinic_when = f"{long_date(instant, clinic_zone())}, {clock(instant, clinic_zone())} Eastern Time"
    assert f"{clinic_when} (the clinic's time)" in email.body_text
    assert "Maria" not in email.subject


def test_patient_in_el_paso_switches_to_mountain_time_and_times_shift_one_hour(new_page, calendar):
    """Journey 2: Texas offers Central and Mountain; the same free times move by an hour between them."""
    page = new_page(timezone_id="America/Denver")
    page.goto("/book/")
    choose_state(page, "Texas")
    central_zone = page.get_by_role("radio", name="Central Time (most of Texas)", exact=True)
    mountain_zone = page.get_by_role(
        "radio", name="Mountain Time (El Paso and Hudspeth counties)", exact=True
    )
    # The browser says Mountain Time, which Texas has (El Paso and Hudspeth counties).
    expect(mountain_zone).to_be_checked()

    central_zone.check()
    page.get_by_role("button", name="Update times").click()
    expect(page.locator(".zone-name")).to_have_text("Central Time (most of Texas)")
    central = times_by_instant(page)

    mountain_zone.check()
    page.get_by_role("button", name="Update times").click()
    expect(page.locator(".zone-name")).to_have_text("Mountain Time (El Paso and Hudspeth counties)")
    mountain = times_by_instant(page)

    common = sorted(central.keys() & mountain.keys())
    assert len(common) >= 10, "both zones should offer the same free times"
    for instant in common:
        assert central[instant] == clock(instant, CENTRAL)
        assert mountain[instant] == clock(instant, MOUNTAIN)
        shown_central = datetime.strptime(central[instant], "%I:%M %p")
        shown_mountain = datetime.strptime(mountain[instant], "%I:%M %p")
        assert (shown_central - shown_mountain) % timedelta(days=1) == timedelta(hours=1)

    instant = pick_first_free_time(page)
    expect(page.locator("main")).to_contain_text(
        f"{clock(instant, MOUNTAIN)} Mountain Time (El Paso and Hudspeth counties)"
    )


def test_visitor_from_florida_gets_the_referral_page_and_nothing_is_stored(new_page, calendar):
    """Journey 3: "another state" leads to 988 and SAMHSA's helpline; no row is written."""
    from scheduling.models import Appointment, Notification

    before = (Appointment.objects.count(), Notification.objects.count())
    page = new_page(timezone_id="America/New_York")
    page.goto("/book/")
    choose_state(page, "Another state")

    expect(page).to_have_url(re.compile(r"/book/outside/$"))
    main = page.locator("main")
    expect(main).to_contain_text("988")
    expect(main).to_contain_text("1-800-662-4357")
    expect(main.get_by_role("link", name="1-800-662-4357")).to_have_attribute("href", "tel:+18006624357")
    expect(main.get_by_role("link", name="findtreatment.gov")).to_be_visible()
    assert_accessible(page)
    assert (Appointment.objects.count(), Notification.objects.count()) == before == (0, 0)


def lose_the_race(new_page):
    """Two browsers choose the same time; the first books it, the second submits after.

    Returns (the second page, the time both chose)."""
    first, second = new_page(), new_page()
    for page in (first, second):
        page.goto("/book/times/?state=NY&tz=America/New_York")
    instant = pick_first_free_time(first)
    assert pick_first_free_time(second) == instant
    fill_details(first, full_name="First Patient", email="first@example.com")
    fill_details(second, full_name="Second Patient", email="second@example.com")

    submit_details(first)
    expect(first.get_by_role("heading", level=1)).to_have_text("You're booked")
    submit_details(second)
    return second, instant


def test_second_patient_for_the_same_time_is_told_it_was_just_taken_and_offered_others(new_page, calendar):
    """Journey 4: two browsers, one time; the second to submit is told kindly, offered others, books one."""
    from scheduling.models import Appointment

    page, instant = lose_the_race(new_page)
    expect(page.get_by_role("alert")).to_contain_text(TAKEN)
    offered = free_times(page)
    expect(offered.first).to_be_visible()
    assert instant.isoformat() not in [radio.get_attribute("value") for radio in offered.all()]
    # What the patient typed is kept.
    expect(page.get_by_role("textbox", name="Full name")).to_have_value("Second Patient")
    assert_accessible(page)
    assert [a.email for a in Appointment.objects.all()] == ["first@example.com"]

    # Choosing one of the offered times and sending the form again books it.
    choice = offered.first
    other = datetime.fromisoformat(choice.get_attribute("value"))
    choice.check()
    page.get_by_role("checkbox", name=re.compile(r"^I live in ")).check()
    page.get_by_role("checkbox", name=re.compile(r"^I understand this is not for emergencies")).check()
    submit_details(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.locator("main")).to_contain_text(f"{clock(other, clinic_zone())} Eastern Time")

    booked = {a.email: a.start for a in Appointment.objects.all()}
    assert booked == {"first@example.com": instant, "second@example.com": other}


def test_booking_works_with_javascript_disabled(new_page, calendar):
    """Journey 6: plain HTML forms book; without the browser's zone, the state's usual one is shown."""
    from scheduling.models import Appointment

    page = new_page(java_script_enabled=False, timezone_id="America/Denver")
    page.goto("/book/")
    choose_state(page, "Texas")
    expect(page.get_by_role("radio", name="Central Time (most of Texas)", exact=True)).to_be_checked()
    instant = pick_first_free_time(page)
    fill_details(page, full_name="No Script", email="noscript@example.com")
    submit_details(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    expect(page.locator("main")).to_contain_text(
        f"{long_date(instant, CENTRAL)} at {clock(instant, CENTRAL)} Central Time (most of Texas)"
    )
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.time_zone) == (instant, "America/Chicago")


def test_booking_pages_fit_a_375_pixel_phone(new_page, calendar):
    """Journey 9, booking part: no sideways scrolling, and each step's main button on screen."""
    page = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, timezone_id="America/New_York")

    def assert_fits(button_name):
        assert scroll_overflow(page) == 0, f"{page.url} scrolls sideways on a 375-pixel phone"
        button = page.get_by_role("button", name=button_name)
        button.scroll_into_view_if_needed()
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]

    page.goto("/book/")
    assert_fits("Continue")
    choose_state(page, "New York")
    assert_fits("Continue with this time")
    pick_first_free_time(page)
    assert_fits("Book my meet-and-greet")
