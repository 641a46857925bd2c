"""Reading real-world-shaped calendar files into busy times (no database, no network)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.busy.parse import UnreadableCalendar, busy_intervals
from tests.scheduling.busy.server import fixture

NEW_YORK = ZoneInfo("America/New_York")
DECEMBER = {"start": datetime(2026, 11, 30, 5, tzinfo=UTC), "end": datetime(2027, 1, 1, 5, tzinfo=UTC)}


def busy(name: str, zone: ZoneInfo = NEW_YORK, **window) -> list[tuple[str, str]]:
    """The busy times of a fixture file as clinic wall times, e.g. ("Tue 12-01 10:00", "11:00")."""
    intervals = busy_intervals(fixture(name), clinic_zone=zone, **(window or DECEMBER))
    return [
        (f"{i.start.astimezone(zone):%a %m-%d %H:%M}", f"{i.end.astimezone(zone):%m-%d %H:%M}")
        for i in intervals
    ]


def test_google_weekly_event_repeats_with_one_moved_and_one_removed_occurrence():
    assert busy("google.ics") == [
        ("Tue 12-01 10:00", "12-01 11:00"),
        ("Wed 12-02 15:00", "12-02 16:30"),  # a one-off event written in UTC
        ("Tue 12-08 14:00", "12-08 15:00"),  # RECURRENCE-ID: this week moved to the afternoon
        ("Tue 12-15 10:00", "12-15 11:00"),
        # 12-22 is an EXDATE
        ("Tue 12-29 10:00", "12-29 11:00"),
    ]


def test_google_weekly_event_keeps_its_wall_time_across_the_spring_change():
    spring = {"start": datetime(2027, 3, 1, tzinfo=UTC), "end": datetime(2027, 3, 20, tzinfo=UTC)}

    intervals = busy_intervals(fixture("google.ics"), clinic_zone=NEW_YORK, **spring)

    assert [f"{i.start.astimezone(NEW_YORK):%m-%d %H:%M %Z}" for i in intervals] == [
        "03-02 10:00 EST",
        "03-09 10:00 EST",
        "03-16 10:00 EDT",  # clocks went forward on 2027-03-14
    ]
    assert [i.start.hour for i in intervals] == [15, 15, 14]  # UTC moves, the wall time does not


def test_outlook_windows_zone_names_are_read_in_their_zones():
    assert busy("outlook.ics") == [
        ("Mon 11-30 12:00", "11-30 13:00"),  # 09:00 "Pacific Standard Time", from its VTIMEZONE
        ("Thu 12-03 13:00", "12-03 14:30"),  # "Eastern Standard Time", out of office
        # 12-04 12:00 "Central Standard Time" is marked free
        ("Fri 12-04 16:00", "12-04 17:00"),  # 15:00 "Central Standard Time", no VTIMEZONE given
        ("Mon 12-07 12:00", "12-07 13:00"),
        ("Mon 12-14 12:00", "12-14 13:00"),
        ("Mon 12-21 12:00", "12-21 13:00"),
        ("Mon 12-28 12:00", "12-28 13:00"),
    ]


def test_apple_all_day_events_block_whole_clinic_days_and_floating_times_are_clinic_time():
    assert busy("apple.ics") == [
        ("Mon 12-07 15:30", "12-07 16:30"),  # floating time, with RDATEs for two more weeks
        ("Thu 12-10 00:00", "12-11 00:00"),  # all-day
        # 12-15: an all-day birthday marked free
        ("Mon 12-14 15:30", "12-14 16:30"),
        ("Mon 12-21 15:30", "12-21 16:30"),
        ("Wed 12-23 00:00", "12-26 00:00"),  # three all-day days
    ]


def test_all_day_and_floating_times_follow_the_clinic_zone():
    los_angeles = ZoneInfo("America/Los_Angeles")

    intervals = busy_intervals(fixture("apple.ics"), clinic_zone=los_angeles, **DECEMBER)

    exam = next(i for i in intervals if i.end - i.start == timedelta(days=1))
    assert exam.start == datetime(2026, 12, 10, tzinfo=los_angeles)
    assert intervals[0].start == datetime(2026, 12, 7, 15, 30, tzinfo=los_angeles)


def test_transparent_and_cancelled_events_block_nothing():
    assert busy("free_and_cancelled.ics") == [
        ("Mon 11-30 09:00", "11-30 09:30"),
        # 12-01: the free lunch, the cancelled meeting and the cancelled check-in block nothing
        ("Wed 12-02 09:00", "12-02 09:30"),
    ]


def test_only_busy_times_overlapping_the_window_are_returned():
    window = {
        "start": datetime(2026, 12, 8, 19, 30, tzinfo=UTC),
        "end": datetime(2026, 12, 15, 15, 30, tzinfo=UTC),
    }

    assert busy("google.ics", **window) == [
        ("Tue 12-08 14:00", "12-08 15:00"),  # ends 20:00 UTC, after the window opens
        ("Tue 12-15 10:00", "12-15 11:00"),  # starts 15:00 UTC, before it closes
    ]


@pytest.mark.parametrize(
    "data",
    [
        fixture("broken.ics"),
        b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>",
        b"",
        b"BEGIN:VEVENT\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:20261201T100000Z\r\n"
        b"RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ],
    ids=["truncated", "html", "empty", "event-without-calendar", "bad-rule"],
)
def test_a_file_that_is_not_a_readable_calendar_is_refused_whole(data):
    with pytest.raises(UnreadableCalendar) as error:
        busy_intervals(data, clinic_zone=NEW_YORK, **DECEMBER)

    assert error.value.message == "the address did not give a readable iCalendar file"
