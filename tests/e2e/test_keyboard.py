"""Journey 5: the booking flow with the keyboard alone (Tab, Space, Enter, and arrows in a radio group)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.booking import shown_times
from tests.e2e.helpers import assert_accessible, open_every_day

pytestmark = pytest.mark.e2e

# Where focus is, and whether a sighted keyboard user can see it (an outline or a focus ring).
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  const name = el.name || el.id || el.textContent.trim().slice(0, 40);
  return {name: name, tag: el.tagName, visible: outline || ring};
}"""


def tab_to(page, target, *, seen: set | None = None, limit: int = 80) -> None:
    """Press Tab until `target` has focus, checking that every stop on the way shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus["visible"], f"focus is not visible on {focus} at {page.url}"
        if seen is not None:
            seen.add(focus["name"])
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} is not reachable with Tab on {page.url}")


@pytest.fixture
def calendar(settings):
    settings.BOOKING_FORM_MIN_SECONDS = 0  # see test_booking.calendar
    open_every_day()


def test_booking_with_the_keyboard_alone(page, calendar):
    from scheduling.models import Appointment

    page.goto("/book/")

    # Step 1, sent without a choice: the error is announced, focused, and leads to the field.
    tab_to(page, page.get_by_role("button", name="Continue", exact=True))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please choose the state you live in.")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    tab_to(page, summary.get_by_role("link", name="Please choose the state you live in."))
    page.keyboard.press("Enter")
    new_york = page.get_by_role("radio", name="New York")
    expect(new_york).to_be_focused()
    # Space chooses, and arrows move the choice within the radio group.
    page.keyboard.press("Space")
    expect(new_york).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Texas")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue", exact=True))
    page.keyboard.press("Enter")

    # Step 2: the zone choice, the days and the free times are reachable; Space chooses a time,
    # Enter on a day shows that day's times.
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    tab_to(page, page.get_by_role("radio", name="Central Time (most of Texas)", exact=True))
    second_day = page.locator(".day-choice a").nth(1)
    tab_to(page, second_day)
    page.keyboard.press("Enter")
    expect(second_day).to_have_attribute("aria-current", "true")
    first_time = shown_times(page).first
    tab_to(page, first_time)
    page.keyboard.press("Space")
    expect(first_time).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue with this time"))
    page.keyboard.press("Enter")

    # Step 3: every control is a Tab stop (the honeypot is not); an empty form is refused aloud.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    submit = page.get_by_role("button", name="Book my meet-and-greet")
    seen: set[str] = set()
    tab_to(page, submit, seen=seen)
    expected_stops = {
        "full_name",
        "email",
        "phone",
        "contact_method",
        "note",
        "confirm_residence",
        "confirm_not_emergency",
        "submit",
    }
    assert expected_stops <= seen, f"not reachable with Tab: {expected_stops - seen}"
    assert "website" not in seen, "the honeypot must not be a Tab stop"
    page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please enter your name.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    full_name = page.get_by_role("textbox", name="Full name")
    # Each error is tied to its field, so a screen reader reads it with the field.
    expect(full_name).to_have_attribute("aria-invalid", "true")
    expect(full_name).to_have_accessible_description(re.compile("Please enter your name."))
    expect(page.get_by_role("textbox", name="Phone number")).to_have_accessible_description(
        re.compile("Please enter your phone number.")
    )
    assert_accessible(page)

    # The summary's links lead to the fields.
    tab_to(page, summary.get_by_role("link", name="Please enter your name."))
    page.keyboard.press("Enter")
    expect(full_name).to_be_focused()
    page.keyboard.type("Kim Keyboard")
    tab_to(page, page.get_by_role("textbox", name="Email"))
    page.keyboard.type("kim@example.com")
    tab_to(page, page.get_by_role("textbox", name="Phone number"))
    page.keyboard.type("(512) 555-0188")
    phone_call = page.get_by_role("radio", name="Phone call")
    tab_to(page, phone_call)
    page.keyboard.press("Space")
    expect(phone_call).to_be_checked()
    for name in (r"^I live in Texas", r"^I understand this is not for emergencies"):
        box = page.get_by_role("checkbox", name=re.compile(name))
        tab_to(page, box)
        page.keyboard.press("Space")
        expect(box).to_be_checked()
    tab_to(page, submit)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("You're booked")
    appointment = Appointment.objects.get()
    assert (appointment.full_name, appointment.state, appointment.phone) == (
        "Kim Keyboard",
        "TX",
        "+15125550188",
    )
