"""Steps of the booking flow as a patient takes them in the browser, and the times they should see."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from playwright.sync_api import expect

CTA = "Book a free 10-minute meet-and-greet"
TAKEN = re.compile(r"that time was just taken", re.IGNORECASE)


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def clock(instant: datetime, zone: ZoneInfo) -> str:
    """ "9:05 AM": the instant on the zone's clock, as the pages write it."""
    local = instant.astimezone(zone)
    return f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"


def long_date(instant: datetime, zone: ZoneInfo) -> str:
    """ "Thursday, November 26, 2026": the instant's date in the zone."""
    local = instant.astimezone(zone)
    return f"{local:%A, %B} {local.day}, {local.year}"


def choose_state(page, state: str) -> None:
    """Step 1: "New York", "Texas", "California" or "Another state"."""
    page.get_by_label(state, exact=True).check()
    page.get_by_role("button", name="Continue", exact=True).click()


def free_times(page):
    """The radio buttons of the free times on the page."""
    return page.locator("main input[type=radio][name=start]")


def time_of(radio) -> datetime:
    return datetime.fromisoformat(radio.get_attribute("value"))


def times_by_instant(page) -> dict[datetime, str]:
    """Every free time on the times page, of every day: its instant -> the clock time it shows."""
    # One round trip for all of them (a week holds hundreds); the days not chosen are hidden, so
    # read textContent rather than what is painted: the clock time is its first two words.
    pairs = free_times(page).evaluate_all(
        "radios => radios.map(r => [r.value, r.closest('label').textContent])"
    )
    return {datetime.fromisoformat(value): " ".join(text.split()[:2]) for value, text in pairs}


def shown_times(page):
    """The free times a person can see and choose now (on the times page: the chosen day's)."""
    return page.locator("main input[type=radio][name=start]:visible")


def continue_button(page):
    return page.get_by_role("button", name="Continue with this time")


def pick_first_free_time(page) -> datetime:
    """Step 2: choose the first free time and continue; returns the chosen instant."""
    radio = shown_times(page).first
    instant = time_of(radio)
    radio.check()
    continue_button(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    return instant


def fill_details(
    page, *, full_name: str, email: str, phone: str = "(212) 555-0123", method: str = "Phone call"
):
    page.get_by_role("textbox", name="Full name").fill(full_name)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Phone number").fill(phone)
    page.get_by_role("radio", name=method).check()
    page.get_by_role("checkbox", name=re.compile(r"^I live in ")).check()
    page.get_by_role("checkbox", name=re.compile(r"^I understand this is not for emergencies")).check()


def submit_details(page) -> None:
    page.get_by_role("button", name="Book my meet-and-greet").click()
