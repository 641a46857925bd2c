"""After booking: the patient's manage link (journey 7) and the staff's agenda in admin (journey 8)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.booking import clinic_zone, clock, long_date, time_of
from tests.e2e.helpers import admin_sign_in, assert_accessible, assert_no_console_errors, open_every_day

pytestmark = pytest.mark.e2e

PACIFIC = "America/Los_Angeles"


def book_first_free_time(*, tz: str = PACIFIC, state: str = "CA"):
    """A booking made through the service, as the booking form makes it; returns its BookingResult."""
    from scheduling import selectors, services

    open_every_day()
    today = timezone.now().astimezone(ZoneInfo(tz)).date()
    first = selectors.patient_slots(tz=tz, start=today, days=7)[0]
    return services.appointment_book(
        start=first.start,
        state=state,
        time_zone=tz,
        full_name="Pat Example",
        email="pat@example.com",
        phone="+12125550123",
        contact_method="phone",
    )


def test_patient_cancels_through_the_manage_link_and_the_page_then_shows_it_cancelled(page):
    from scheduling.models import Appointment, Notification

    booking = book_first_free_time()
    start, zone = booking.appointment.start, ZoneInfo(PACIFIC)
    when = f"{long_date(start, zone)}, {clock(start, zone)} Pacific Time"
    manage_url = reverse("scheduling:manage", args=[booking.manage_token])

    page.goto(manage_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your meet-and-greet")
    expect(page.locator("main")).to_contain_text(when)
    clinic_when = f"{long_date(start, clinic_zone())}, {clock(start, clinic_zone())} Eastern Time"
    expect(page.locator("main")).to_contain_text(f"That is {clinic_when}, the clinic's time.")
    assert_accessible(page)
    assert_no_console_errors(page)

    page.get_by_role("link", name="Cancel my meet-and-greet").click()
    page.get_by_role("button", name="Yes, cancel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your meet-and-greet is cancelled")
    expect(page.get_by_role("status")).to_contain_text(when)
    assert_accessible(page)

    # The link keeps showing the cancelled state, with nothing left to press but "book again".
    page.goto(manage_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your meet-and-greet is cancelled")
    expect(page.get_by_role("link", name="Cancel my meet-and-greet")).to_have_count(0)

    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
    assert Notification.objects.filter(appointment=appointment, kind="cancellation").count() == 1


def test_staff_log_in_open_the_agenda_of_the_day_and_mark_the_call_completed(page, django_user_model):
    from scheduling.models import Appointment

    password = "a long and unusual test passphrase"
    django_user_model.objects.create_superuser("frontdesk", "frontdesk@example.com", password)
    appointment = book_first_free_time().appointment
    # The call took place an hour ago (completed can be set only once the start has passed).
    began = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    Appointment.objects.filter(pk=appointment.pk).update(start=began, end=began + timedelta(minutes=10))
    appointment.refresh_from_db()
    clinic_start = appointment.start.astimezone(clinic_zone())
    agenda_url = f"{reverse('admin:scheduling_appointment_agenda')}?date={clinic_start.date().isoformat()}"

    admin_sign_in(page, username="frontdesk", password=password, next_url=agenda_url)

    expect(page).to_have_url(re.compile(re.escape(agenda_url) + "$"))
    expect(page.locator("main, #content").first).to_contain_text("Times are in the clinic's zone")
    row = page.locator("tr", has=page.get_by_role("link", name=f"Meet-and-greet #{appointment.pk}"))
    expect(row).to_contain_text(f"{clinic_start:%H:%M}–")
    expect(row).to_contain_text("Confirmed")
    expect(row).to_contain_text("Pat Example · Phone call · lives in CA, Pacific Time")

    row.get_by_role("link", name=f"Meet-and-greet #{appointment.pk}").click()
    page.get_by_role("button", name="Mark completed").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Meet-and-greet #{appointment.pk} marked completed."
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.COMPLETED

    page.goto(agenda_url)
    expect(
        page.locator("tr", has=page.get_by_role("link", name=f"Meet-and-greet #{appointment.pk}"))
    ).to_contain_text("Completed")


def test_patient_moves_the_call_through_the_manage_link_and_sees_the_new_time(page):
    """The manage link's other button: a new time from the same picker; the old one is freed."""
    from scheduling import selectors
    from scheduling.models import Appointment, Notification

    booking = book_first_free_time()
    old_start, zone = booking.appointment.start, ZoneInfo(PACIFIC)
    manage_url = reverse("scheduling:manage", args=[booking.manage_token])

    page.goto(manage_url)
    page.get_by_role("link", name="Change the time").click()
    offered = page.locator("form.slot-form input[type=radio][name=start]")
    choice = offered.nth(3)
    new_start = time_of(choice)
    assert new_start != old_start
    choice.check()
    page.get_by_role("button", name="Move my meet-and-greet to this time").click()

    expect(page.get_by_role("status")).to_be_visible()
    new_when = f"{long_date(new_start, zone)}, {clock(new_start, zone)} Pacific Time"
    expect(page.locator(".booked-time")).to_have_text(new_when)
    assert_accessible(page)
    assert_no_console_errors(page)

    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.status, appointment.version) == (new_start, "confirmed", 2)
    assert Notification.objects.filter(appointment=appointment, kind="reschedule").count() == 1
    today = timezone.now().astimezone(zone).date()
    assert old_start in [slot.start for slot in selectors.patient_slots(tz=PACIFIC, start=today, days=7)]
