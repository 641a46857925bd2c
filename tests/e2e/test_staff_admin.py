"""The scheduling admin pages staff use, in Chromium, signed in as scheduling staff: each passes
axe-core (WCAG 2.2 A/AA), and the appointment list fits a 1280 px laptop screen."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import (
    PHONE_VIEWPORT,
    admin_sign_in,
    assert_no_console_errors,
    axe_violations,
    describe,
    open_every_day,
    scroll_overflow,
)

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password-1"


def calendar():
    """Open hours, one past call (no-show) and one upcoming call; returns (past, upcoming)."""
    from scheduling.models import Appointment, Notification
    from tests.scheduling import admin_factories as f

    open_every_day()
    now = timezone.now().replace(second=0, microsecond=0)
    past = f.appointment(
        now - timedelta(hours=2), status=Appointment.Status.NO_SHOW, email="past@example.org"
    )
    start = (now + timedelta(days=3)).replace(hour=15, minute=0)
    upcoming = f.appointment(start, contact_method="video", state="CA", time_zone="America/Los_Angeles")
    Notification.objects.create(
        appointment=upcoming,
        kind="confirmation",
        appointment_version=1,
        recipient=upcoming.email,
        subject="Your meet-and-greet is confirmed",
        body_text="Manage it: https://clinic.example/book/manage/SECRETTOKEN123/",
    )
    return past, upcoming


@pytest.fixture
def staff_page(new_page):
    from tests.scheduling import admin_factories as f

    f.scheduling_staff()

    def open_signed_in(**options):
        page = new_page(**options)
        admin_sign_in(page, username="frontdesk", password=PASSWORD)
        expect(page.locator("#site-name")).to_be_visible()
        return page

    return open_signed_in


def check_pages(page, urls: list[str]) -> None:
    problems = []
    for url in urls:
        page.goto(url)
        # Before axe runs: its own checks can set inline styles, which the CSP then reports.
        assert_no_console_errors(page)
        violations = axe_violations(page)
        page.console_errors.clear()  # what axe's own checks caused
        if violations:
            problems.append(f"{url}\n{describe(violations)}")
    assert not problems, "axe-core found WCAG 2.2 A/AA violations:\n" + "\n".join(problems)


def test_agenda_list_appointment_outbox_and_report_pass_axe(staff_page):
    from scheduling.models import Notification

    past, upcoming = calendar()
    page = staff_page()
    day = upcoming.start.astimezone(ZoneInfo("America/New_York")).date().isoformat()
    agenda = reverse("admin:scheduling_appointment_agenda")
    note = Notification.objects.get()

    check_pages(
        page,
        [
            f"{agenda}?date={day}",
            f"{agenda}?date={day}&view=week",
            reverse("admin:scheduling_appointment_changelist"),
            reverse("admin:scheduling_appointment_change", args=[upcoming.pk]),
            reverse("admin:scheduling_appointment_change", args=[past.pk]),
            reverse("admin:scheduling_appointment_report"),
            reverse("admin:scheduling_appointment_export"),
            reverse("admin:scheduling_notification_changelist"),
            reverse("admin:scheduling_notification_change", args=[note.pk]),
        ],
    )
    expect(page.locator("body")).not_to_contain_text("SECRETTOKEN123")


def test_book_reschedule_and_cancel_pages_pass_axe_with_and_without_errors(staff_page):
    _, upcoming = calendar()
    page = staff_page()
    book = reverse("admin:scheduling_appointment_book")

    check_pages(
        page,
        [
            book,
            reverse("admin:scheduling_appointment_reschedule", args=[upcoming.pk]),
            reverse("admin:scheduling_appointment_cancel", args=[upcoming.pk]),
        ],
    )
    # The error summary on top, and the "outside the usual hours" confirmation.
    page.goto(book)
    page.get_by_label("State the caller lives in").select_option("NY")
    page.get_by_label("Or another time").fill("22:30")
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert not axe_violations(page), describe(axe_violations(page))
    page.get_by_label("Patient's full name").fill("Caller Example")
    page.get_by_label("Patient's email").fill("caller@example.org")
    page.get_by_label("Patient's phone").fill("(212) 555-0155")
    page.get_by_label("Phone call").check()
    page.get_by_label("The caller lives in this state").check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_label("Yes, book this time although it is outside the usual hours.")).to_be_visible()
    assert not axe_violations(page), describe(axe_violations(page))
    page.get_by_label("Yes, book this time although it is outside the usual hours.").check()
    page.get_by_role("button", name="Book this time").click()
    expect(page.locator(".messagelist")).to_contain_text("booked for")


def test_availability_pages_and_the_conflict_confirmation_pass_axe(staff_page):
    from scheduling.models import BookingRules, TimeOff, clinic_zone

    _, upcoming = calendar()
    rules = BookingRules.load()
    page = staff_page()

    check_pages(
        page,
        [
            reverse("admin:scheduling_timeoff_add"),
            reverse("admin:scheduling_timeoff_changelist"),
            reverse("admin:scheduling_weeklyhours_changelist"),
            reverse("admin:scheduling_weeklyhours_add"),
            reverse("admin:scheduling_bookingrules_change", args=[rules.pk]),
        ],
    )
    # Time off over the upcoming call: the conflict page, then "keep them".
    clinic_day = upcoming.start.astimezone(clinic_zone()).date()
    page.goto(reverse("admin:scheduling_timeoff_add"))
    page.locator("#id_start_date").fill(clinic_day.isoformat())
    page.locator("#id_end_date").fill(clinic_day.isoformat())
    page.locator("input[name=_save]").click()
    expect(page.locator("h1")).to_contain_text(
        "This change leaves 1 confirmed meet-and-greet outside availability"
    )
    assert not TimeOff.objects.exists()
    assert not axe_violations(page), describe(axe_violations(page))
    page.get_by_role("button", name="Save and keep them booked").click()
    expect(page.locator(".messagelist")).to_contain_text("stays booked outside availability")
    assert TimeOff.objects.count() == 1


def test_agenda_at_phone_width_passes_axe_without_sideways_scrolling(staff_page):
    _, upcoming = calendar()
    page = staff_page(viewport=PHONE_VIEWPORT)
    day = upcoming.start.astimezone(ZoneInfo("America/New_York")).date().isoformat()

    check_pages(page, [f"{reverse('admin:scheduling_appointment_agenda')}?date={day}"])
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "document.documentElement.clientWidth + 1).map(e => e.tagName + '.' + e.className + '#' + e.id)"
    )
    assert scroll_overflow(page) == 0, wide
    # The appointment page at phone width: its outbox table scrolls inside a focusable region.
    check_pages(page, [reverse("admin:scheduling_appointment_change", args=[upcoming.pk])])
    assert scroll_overflow(page) == 0


def test_the_appointment_list_fits_1280_px_without_clipping_status_or_source(staff_page):
    calendar()
    page = staff_page(viewport={"width": 1280, "height": 800})

    page.goto(reverse("admin:scheduling_appointment_changelist"))

    for column in ("column-status", "column-source"):
        header = page.locator(f"th.{column}")
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, (column, box)
    assert scroll_overflow(page) == 0
