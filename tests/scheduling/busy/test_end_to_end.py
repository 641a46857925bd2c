"""End to end: a busy time synced from a calendar blocks booking everywhere patients book
(slots.json, the times page, the details page, the booking POST), and syncing it away frees it."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from scheduling import services
from scheduling.busy.sync import busy_calendar_sync
from scheduling.models import Appointment, BookingRules, BusyCalendar, BusyInterval, clinic_zone
from tests.html import visible_text
from tests.scheduling.busy.factories import empty_file, make_calendar, one_event_file
from tests.scheduling.factories import booking_data, open_every_day

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"
# With 10-minute calls, a 5-minute buffer and starts every 15 minutes, a busy 10:00-11:00 takes
# the starts whose call plus buffer would touch it: 10:00 to 11:00 (09:45 ends with its buffer
# exactly at 10:00, and 11:15 starts after 11:00 plus the buffer).
COVERED = ["10:00", "10:15", "10:30", "10:45", "11:00"]


def next_tuesday() -> date:
    today = timezone.localdate(timezone=clinic_zone())
    ahead = (1 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 2 else ahead + 7)  # always past the notice


def clinic_times(starts: list[datetime], day: date) -> list[str]:
    zone = clinic_zone()
    return [f"{s.astimezone(zone):%H:%M}" for s in starts if s.astimezone(zone).date() == day]


def json_starts(client, day: date) -> list[datetime]:
    response = client.get("/book/slots.json", {"tz": NEW_YORK, "start": day.isoformat(), "days": 1})
    assert response.status_code == 200
    return [datetime.fromisoformat(slot["start"]) for slot in response.json()["slots"]]


def page_starts(client, day: date) -> list[datetime]:
    response = client.get("/book/times/", {"state": "NY", "tz": NEW_YORK, "start": day.isoformat()})
    assert response.status_code == 200
    values = re.findall(r'name="start"[^>]*value="([^"]+)"', response.content.decode())
    return [datetime.fromisoformat(value) for value in values]


@pytest.fixture
def tuesday(calendars, django_capture_on_commit_callbacks):
    BookingRules.objects.filter(pk=1).update(slot_minutes=10, buffer_minutes=5, step_minutes=None)
    open_every_day()
    day = next_tuesday()
    calendars.files["/doctor.ics"] = one_event_file(day, time(10), time(11))
    return day


def sync(calendar, capture):
    with capture(execute=True):  # the slot caches are dropped after commit
        assert busy_calendar_sync(calendar=calendar).ok


def test_a_synced_busy_time_removes_exactly_the_slots_it_covers_and_syncing_it_away_brings_them_back(
    client, calendars, tuesday, django_capture_on_commit_callbacks
):
    calendar = make_calendar(calendars.url("/doctor.ics"))
    before_json, before_page = json_starts(client, tuesday), page_starts(client, tuesday)  # now cached
    assert set(COVERED) <= set(clinic_times(before_json, tuesday))

    sync(calendar, django_capture_on_commit_callbacks)
    during_json, during_page = json_starts(client, tuesday), page_starts(client, tuesday)

    assert (
        sorted(set(clinic_times(before_json, tuesday)) - set(clinic_times(during_json, tuesday))) == COVERED
    )
    assert (
        sorted(set(clinic_times(before_page, tuesday)) - set(clinic_times(during_page, tuesday))) == COVERED
    )
    assert set(during_json) < set(before_json)

    calendars.files["/doctor.ics"] = empty_file()
    sync(calendar, django_capture_on_commit_callbacks)

    assert json_starts(client, tuesday) == before_json
    assert page_starts(client, tuesday) == before_page


def test_a_hand_made_post_for_a_busy_time_is_refused_as_unavailable(
    client, calendars, tuesday, django_capture_on_commit_callbacks
):
    sync(make_calendar(calendars.url("/doctor.ics")), django_capture_on_commit_callbacks)
    busy_start = datetime.combine(tuesday, time(10, 30), tzinfo=clinic_zone()).astimezone(UTC)

    response = client.post("/book/details/", booking_data(busy_start))

    assert response.status_code == 200
    assert str(services.MSG_UNAVAILABLE) in visible_text(response.content.decode())
    assert Appointment.objects.count() == 0


def test_the_details_page_for_a_busy_time_sends_the_patient_back_to_the_times(
    client, calendars, tuesday, django_capture_on_commit_callbacks
):
    sync(make_calendar(calendars.url("/doctor.ics")), django_capture_on_commit_callbacks)
    busy_start = datetime.combine(tuesday, time(10, 45), tzinfo=clinic_zone()).astimezone(UTC)

    response = client.get("/book/details/", {"state": "NY", "tz": NEW_YORK, "start": busy_start.isoformat()})

    assert response.status_code == 302
    assert "unavailable=1" in response.url


def test_a_time_next_to_the_busy_time_can_still_be_booked(
    client, calendars, tuesday, django_capture_on_commit_callbacks
):
    sync(make_calendar(calendars.url("/doctor.ics")), django_capture_on_commit_callbacks)
    free_start = datetime.combine(tuesday, time(11, 15), tzinfo=clinic_zone()).astimezone(UTC)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/book/details/", booking_data(free_start))

    assert response.status_code == 302
    assert Appointment.objects.get().start == free_start


def test_a_paused_calendar_blocks_nothing(client, calendars, tuesday, django_capture_on_commit_callbacks):
    calendar = make_calendar(calendars.url("/doctor.ics"))
    sync(calendar, django_capture_on_commit_callbacks)
    BusyCalendar.objects.filter(pk=calendar.pk).update(paused=True)

    assert set(COVERED) <= set(clinic_times(json_starts(client, tuesday), tuesday))


def test_a_failed_sync_keeps_blocking_the_last_good_busy_times(
    client, calendars, tuesday, django_capture_on_commit_callbacks
):
    calendar = make_calendar(calendars.url("/doctor.ics"))
    sync(calendar, django_capture_on_commit_callbacks)
    calendars.statuses["/doctor.ics"] = 404

    with django_capture_on_commit_callbacks(execute=True):
        assert not busy_calendar_sync(calendar=calendar).ok

    assert not set(COVERED) & set(clinic_times(json_starts(client, tuesday), tuesday))


def add_busy_times(count: int) -> None:
    """`count` 20-minute busy times, two hours apart, alternating between two calendars."""
    calendars = [
        BusyCalendar.objects.create(name=name, url=f"https://calendar.example/{name}.ics")
        for name in ("a", "b")
    ]
    first = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    BusyInterval.objects.bulk_create(
        BusyInterval(
            calendar=calendars[i % 2],
            start=first + timedelta(hours=2 * i),
            end=first + timedelta(hours=2 * i, minutes=20),
        )
        for i in range(count)
    )


# Each page, and its query budget: rules, hours, time off, taken times and busy times (the
# times page reads the rules once more for its horizon, and the practice's contact details for
# its footer, cached after).
SLOT_PAGES = [("/book/slots.json", {"days": 62}, 5), ("/book/times/", {"state": "NY"}, 7)]


@pytest.mark.parametrize("busy_times", [0, 500])
@pytest.mark.parametrize(("url", "params", "queries"), SLOT_PAGES, ids=["slots.json", "times"])
def test_slot_pages_run_a_fixed_number_of_queries_whatever_the_busy_times(
    client, busy_times, url, params, queries, django_assert_max_num_queries
):
    """Busy times are read in one query for the whole range, never per day or per calendar (N+1)."""
    open_every_day()
    add_busy_times(busy_times)

    with django_assert_max_num_queries(queries):
        response = client.get(url, {"tz": NEW_YORK, "start": timezone.localdate().isoformat(), **params})

    assert response.status_code == 200
    assert '"start"' in response.content.decode()  # it did list free times
