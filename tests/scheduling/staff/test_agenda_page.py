"""The admin agenda: one clinic day or week, in the clinic's zone, across DST changes."""

import re
from datetime import time

import pytest
from django.urls import reverse

from scheduling.models import Appointment, TimeOff, WeeklyHours
from tests.html import visible_text
from tests.scheduling import admin_factories as f
from tests.staff import staff_login

pytestmark = pytest.mark.django_db
AGENDA = reverse("admin:scheduling_appointment_agenda")


def day_text(html: str, day: str) -> str:
    """The visible text of one day's section (day as YYYYMMDD)."""
    match = re.search(rf'<section[^>]*aria-labelledby="day-{day}".*?</section>', html, re.S)
    assert match, f"no section for {day}"
    return visible_text(match.group(0))


@pytest.fixture
def staff_client(client):
    staff_login(client, f.scheduling_staff())
    return client


@pytest.fixture
def open_weekdays():
    WeeklyHours.objects.bulk_create(
        WeeklyHours(weekday=d, start_time=time(9), end_time=time(17)) for d in range(7)
    )


def test_day_view_shows_appointments_in_clinic_time_after_spring_forward(staff_client, open_weekdays):
    # 13:00 UTC on Monday 9 March 2026 is 09:00 EDT (New York moved to UTC-4 the day before).
    booked = f.appointment(f.utc(2026, 3, 9, 13, 0))
    TimeOff.objects.create(
        start_date=booked.start.date(),
        start_time=time(12),
        end_date=booked.start.date(),
        end_time=time(13),
        reason="Lunch with the team",
    )

    response = staff_client.get(AGENDA, {"date": "2026-03-09"})

    assert response.status_code == 200
    text = day_text(response.content.decode(), "20260309")
    assert f"09:00–09:10 EDT Meet-and-greet #{booked.pk} Confirmed {f.PATIENT_NAME} · Phone call" in text
    assert "lives in NY, Eastern Time" in text
    assert "Open hours: 09:00–17:00" in text
    assert "12:00–13:00 EDT Time off Lunch with the team" in text
    assert "09:10–12:00 EDT Free" in text
    assert "13:00–17:00 EDT Free" in text
    assert reverse("admin:scheduling_appointment_change", args=[booked.pk]) in response.content.decode()


def test_week_view_puts_each_appointment_on_its_clinic_date_across_the_dst_change(
    staff_client, open_weekdays
):
    saturday_late = f.appointment(f.utc(2026, 3, 8, 4, 30))  # 23:30 EST on Saturday 7 March
    before_jump = f.appointment(f.utc(2026, 3, 8, 6, 30))  # 01:30 EST on Sunday 8 March
    after_jump = f.appointment(f.utc(2026, 3, 8, 7, 30))  # 03:30 EDT, one real hour later
    next_monday = f.appointment(f.utc(2026, 3, 9, 13, 0))  # next week: not shown

    response = staff_client.get(AGENDA, {"date": "2026-03-04", "view": "week"})

    html = response.content.decode()
    assert "Week of 02 March 2026 to 08 March 2026" in visible_text(html)
    saturday, sunday = day_text(html, "20260307"), day_text(html, "20260308")
    assert f"23:30–23:40 EST Meet-and-greet #{saturday_late.pk}" in saturday
    assert f"01:30–01:40 EST Meet-and-greet #{before_jump.pk}" in sunday
    assert f"03:30–03:40 EDT Meet-and-greet #{after_jump.pk}" in sunday
    assert f"#{next_monday.pk}" not in visible_text(html)
    assert len(re.findall(r"<section", html)) == 7


def test_fall_back_day_shows_both_sides_of_the_repeated_hour(staff_client, open_weekdays):
    # Sunday 1 November 2026: 01:00-01:59 happens twice in New York.
    first = f.appointment(f.utc(2026, 11, 1, 5, 20))  # 01:20 EDT
    second = f.appointment(f.utc(2026, 11, 1, 6, 20))  # 01:20 EST, an hour later
    afternoon = f.appointment(f.utc(2026, 11, 1, 19, 0))  # 14:00 EST

    text = day_text(staff_client.get(AGENDA, {"date": "2026-11-01"}).content.decode(), "20261101")

    assert f"01:20–01:30 EDT Meet-and-greet #{first.pk}" in text
    assert f"01:20–01:30 EST Meet-and-greet #{second.pk}" in text
    assert f"14:00–14:10 EST Meet-and-greet #{afternoon.pk}" in text
    assert text.index(f"#{first.pk}") < text.index(f"#{second.pk}")


def test_cancelled_appointments_are_listed_but_leave_the_time_free(staff_client, open_weekdays):
    cancelled = f.appointment(f.utc(2026, 6, 3, 14, 0), status=Appointment.Status.CANCELLED_BY_PATIENT)

    text = day_text(staff_client.get(AGENDA, {"date": "2026-06-03"}).content.decode(), "20260603")

    assert f"Meet-and-greet #{cancelled.pk} Cancelled by patient" in text
    assert "09:00–17:00 EDT Free" in text


def test_navigation_links_go_to_previous_next_and_today(staff_client):
    response = staff_client.get(AGENDA, {"date": "2026-06-03", "view": "week"})

    html = response.content.decode()
    assert 'href="/admin/scheduling/appointment/agenda/?date=2026-05-25&amp;view=week" rel="prev"' in html
    assert 'href="/admin/scheduling/appointment/agenda/?date=2026-06-08&amp;view=week" rel="next"' in html
    assert ">Today</a>" in html


@pytest.mark.parametrize(
    ("date", "view"), [("2026-02-30", "day"), ("9999-12-31", "week"), ("0001-01-01", "day")]
)
def test_a_bad_date_shows_today_with_a_message(staff_client, date, view):
    # Year 9999 or 1: the next or previous week does not exist, which must not be a 500.
    response = staff_client.get(AGENDA, {"date": date, "view": view})

    assert response.status_code == 200
    assert "That date could not be read, so the agenda shows today." in visible_text(
        response.content.decode()
    )


def test_agenda_template_has_no_inline_script_or_style(staff_client, open_weekdays):
    f.appointment(f.utc(2026, 6, 3, 14, 0))
    html = staff_client.get(AGENDA, {"date": "2026-06-03", "view": "week"}).content.decode()

    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_admin_index_links_to_the_agenda(staff_client):
    assert AGENDA in staff_client.get(reverse("admin:index")).content.decode()


def test_plain_staff_cannot_see_the_agenda(client):
    staff_login(client, f.plain_staff())

    assert client.get(AGENDA).status_code == 403


@pytest.mark.parametrize("count", [10, 500])
def test_agenda_week_query_count_does_not_grow_with_appointments(
    staff_client, open_weekdays, count, django_assert_max_num_queries
):
    """Prevents an N+1 over appointments (e.g. a per-row query for the patient or the outbox) and
    a per-day query for hours or time off: the availability through its selector (rules, hours,
    time off, taken times), the appointments and the time off reasons, once each."""
    f.many_appointments(count, first=f.utc(2026, 6, 1, 13, 0))
    TimeOff.objects.create(start_date=f.utc(2026, 6, 2).date(), end_date=f.utc(2026, 6, 2).date())

    # The audit event of the view, the doctor's busy times and the session's second factor included.
    with django_assert_max_num_queries(16):
        response = staff_client.get(AGENDA, {"date": "2026-06-03", "view": "week"})

    assert response.status_code == 200
    shown = len(re.findall(r"Meet-and-greet #\d+", response.content.decode()))
    assert shown == min(count, Appointment.objects.filter(start__lt=f.utc(2026, 6, 8, 4)).count())
