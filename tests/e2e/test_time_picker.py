"""Choosing a time on a 390x844 phone: a day, then a large time button, and "Continue" in view at once."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from scheduling.models import Appointment
from tests.e2e.booking import choose_state, continue_button, fill_details, shown_times, submit_details
from tests.e2e.helpers import assert_accessible, assert_no_console_errors, open_every_day, scroll_overflow

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MIN_TARGET = 44  # CSS pixels a side (WCAG 2.5.5, and what a thumb needs)

# The contrast ratio of an element's edge against the page behind it (WCAG's relative luminance).
EDGE_CONTRAST = """el => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => {
    const linear = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const [r, g, b] = rgb(c).map(linear);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const edge = getComputedStyle(el).borderTopColor;
  const back = getComputedStyle(document.body).backgroundColor;
  const [a, b] = [lum(edge), lum(back)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


@pytest.fixture
def calendar(settings):
    settings.BOOKING_FORM_MIN_SECONDS = 0  # see test_booking.calendar
    open_every_day()


def phone(new_page, **options):
    return new_page(viewport=PHONE, is_mobile=True, has_touch=True, **options)


def in_viewport(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def day_links(page):
    return page.locator(".day-choice a")


def test_continue_is_in_view_right_after_picking_a_time_on_each_of_the_first_three_days(new_page, calendar):
    page = phone(new_page, timezone_id="America/Los_Angeles")
    page.goto("/book/")
    choose_state(page, "California")
    expect(day_links(page).first).to_have_attribute("aria-current", "true")
    assert scroll_overflow(page) == 0

    for index in range(3):
        day = day_links(page).nth(index)
        day.click()
        expect(day).to_have_attribute("aria-current", "true")
        times = shown_times(page)
        assert times.count() >= 10, "a day of open hours has many times"
        # The first and the last time of the day: near the top, and far down the grid.
        for radio in (times.first, times.last):
            radio.tap()
            expect(radio).to_be_checked()
            assert in_viewport(continue_button(page)), (
                f"Continue is off screen after picking on day {index + 1}"
            )
            assert in_viewport(radio)
    assert_no_console_errors(page)

    chosen = datetime.fromisoformat(shown_times(page).last.get_attribute("value"))
    continue_button(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.locator("input[name=start]")).to_have_value(chosen.isoformat())


def test_time_and_day_targets_are_at_least_44_pixels_a_side(new_page, calendar):
    page = phone(new_page, timezone_id="America/New_York")
    page.goto("/book/times/?state=NY&tz=America/New_York")

    boxes = shown_times(page).evaluate_all(
        "radios => radios.map(r => { const b = r.getBoundingClientRect(); return [b.width, b.height]; })"
    )
    boxes += day_links(page).evaluate_all(
        "links => links.map(a => { const b = a.getBoundingClientRect(); return [b.width, b.height]; })"
    )
    assert len(boxes) > 10
    assert all(width >= MIN_TARGET and height >= MIN_TARGET for width, height in boxes), boxes
    # And they fit the phone: no sideways scrolling.
    assert scroll_overflow(page) == 0


def test_unselected_choices_stand_out_at_least_3_to_1_from_the_page(new_page, calendar):
    page = phone(new_page)
    page.goto("/book/")
    states = page.locator(".choice-list input[type=radio]")
    assert min(states.evaluate_all(f"els => els.map({EDGE_CONTRAST})")) >= 3
    choose_state(page, "New York")
    for choices in (shown_times(page), day_links(page).locator("xpath=self::*[not(@aria-current)]")):
        assert min(choices.evaluate_all(f"els => els.map({EDGE_CONTRAST})")) >= 3


def test_texas_zone_choice_fits_a_390_pixel_phone_without_cutting_its_names(new_page, calendar):
    page = phone(new_page, timezone_id="America/Denver")
    page.goto("/book/")
    choose_state(page, "Texas")
    mountain = page.get_by_role("radio", name="Mountain Time (El Paso and Hudspeth counties)", exact=True)
    expect(mountain).to_be_checked()
    assert scroll_overflow(page) == 0
    # Each zone's name is shown whole, inside the phone's width, on its own large choice.
    for name in ("Central Time (most of Texas)", "Mountain Time (El Paso and Hudspeth counties)"):
        choice = page.locator(".zone-choice").filter(has_text=name)
        text = choice.locator(".choice-text")
        assert text.evaluate("el => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight")
        choice_box, text_box = choice.bounding_box(), text.bounding_box()
        assert choice_box["height"] >= MIN_TARGET
        for box in (choice_box, text_box):
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    box = page.get_by_role("button", name="Update times").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_step_one_and_the_times_pass_axe(new_page, calendar, viewport):
    page = new_page(viewport=viewport, timezone_id="America/Chicago")
    page.goto("/book/")
    assert_accessible(page)
    choose_state(page, "Texas")  # the page with the zone choice
    assert_accessible(page)
    day_links(page).nth(1).click()
    shown_times(page).first.check()
    assert_accessible(page)
    page.goto("/book/times/?state=CA&tz=America/Los_Angeles")
    assert_accessible(page)
    assert_no_console_errors(page)


def test_without_javascript_a_day_link_reloads_with_that_days_times_and_books(new_page, calendar):
    page = phone(new_page, java_script_enabled=False, timezone_id="America/Los_Angeles")
    page.goto("/book/")
    choose_state(page, "California")
    first_day_times = shown_times(page).evaluate_all("radios => radios.map(r => r.value)")

    day_links(page).nth(1).click()
    expect(page).to_have_url(re.compile(r"[?&]day=\d{4}-\d{2}-\d{2}"))
    expect(day_links(page).nth(1)).to_have_attribute("aria-current", "true")
    second_day = shown_times(page)
    assert second_day.first.get_attribute("value") not in first_day_times

    # "Continue" with no time chosen: the browser asks for one on the day in view; nothing is sent.
    continue_button(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    # (Were the hidden days' times only hidden, the browser could not ask about them and would
    # complain in the console.)
    assert_no_console_errors(page)

    radio = second_day.nth(2)
    chosen = datetime.fromisoformat(radio.get_attribute("value"))
    radio.tap()
    assert in_viewport(continue_button(page))
    continue_button(page).click()
    fill_details(page, full_name="No Script", email="noscript@example.com")
    submit_details(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    assert Appointment.objects.get().start == chosen


def test_with_javascript_a_time_chosen_on_another_day_is_not_sent_unseen(new_page, calendar):
    page = phone(new_page, timezone_id="America/Los_Angeles")
    page.goto("/book/times/?state=CA&tz=America/Los_Angeles")
    shown_times(page).first.tap()
    day_links(page).nth(1).click()
    expect(page).to_have_url(re.compile(r"[?&]day=\d{4}-\d{2}-\d{2}"))
    sent = page.locator("form.slot-form").evaluate("form => new FormData(form).getAll('start')")
    assert sent == []
    # Continue with nothing chosen on the day in view: the browser asks, and only about that day.
    continue_button(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    assert_no_console_errors(page)
