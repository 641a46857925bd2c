"""The agenda's conflict rule and day rows (scheduling/agenda.py): pure, no database, no clock."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling import agenda
from scheduling.selectors import Availability
from scheduling.slots import Interval, Rules

NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2030, 7, 1)


@dataclass
class Booked:
    pk: int
    start: datetime
    end: datetime
    is_active: bool = True


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK).astimezone(UTC)


def call(pk: int, hour: int, minute: int = 0, **fields) -> Booked:
    return Booked(pk, at(hour, minute), at(hour, minute) + timedelta(minutes=10), **fields)


def availability(*, time_off=(), busy=(), buffer=5, cap=None, hours=((9, 17),)) -> Availability:
    rules = Rules(
        slot=timedelta(minutes=10),
        buffer=timedelta(minutes=buffer),
        minimum_notice=timedelta(hours=24),
        horizon_days=30,
        daily_cap=cap,
        step=timedelta(minutes=15),
    )
    open_hours = {day: [(time(s), time(e)) for s, e in hours] for day in range(7)}
    return Availability(hours=open_hours, time_off=list(time_off), taken=[], rules=rules, busy=list(busy))


def conflicts(appointments, **inputs) -> dict[int, str]:
    return agenda.conflicts(appointments=appointments, availability=availability(**inputs), zone=NEW_YORK)


def test_calls_inside_the_hours_and_apart_do_not_conflict():
    assert conflicts([call(1, 9), call(2, 9, 15), call(3, 16, 50)]) == {}


def test_a_call_outside_the_weekly_hours_conflicts():
    assert conflicts([call(1, 8, 55), call(2, 17)]) == {1: agenda.OUTSIDE_HOURS, 2: agenda.OUTSIDE_HOURS}


def test_a_call_during_time_off_conflicts():
    off = Interval(at(10), at(12))

    assert conflicts([call(1, 9, 55), call(2, 12)], time_off=[off]) == {1: agenda.DURING_TIME_OFF}


def test_a_call_overlapping_a_busy_time_conflicts():
    busy = Interval(at(13), at(14))

    assert conflicts([call(1, 12, 55), call(2, 14)], busy=[busy]) == {1: agenda.DURING_BUSY}


def test_a_longer_buffer_marks_the_later_of_two_close_calls():
    calls = [call(1, 10), call(2, 10, 15)]

    assert conflicts(calls, buffer=5) == {}
    assert conflicts(calls, buffer=10) == {2: agenda.TOO_CLOSE}


def test_a_lower_daily_cap_marks_the_calls_past_it():
    calls = [call(3, 15), call(1, 9), call(2, 11)]

    assert conflicts(calls, cap=2) == {3: agenda.OVER_CAP}


def test_cancelled_or_past_statuses_never_conflict():
    assert conflicts([call(1, 20, is_active=False)]) == {}


def test_whole_day_time_off_shows_as_all_day_with_its_reason():
    day_start, day_end = agenda.day_bounds(MONDAY, NEW_YORK)
    inputs = availability(time_off=[Interval(day_start, day_end)])

    (day,) = agenda.agenda_days(
        availability=inputs,
        appointments=[call(1, 10)],
        first=MONDAY,
        days=1,
        today=MONDAY,
        zone=NEW_YORK,
        time_off_reasons={(day_start, day_end): "Conference"},
    )

    off = [row for row in day.rows if row.kind == "time_off"]
    assert [(row.time_range, row.label) for row in off] == [("All day", "Conference")]
    assert [row.conflict for row in day.rows if row.kind == "appointment"] == [agenda.DURING_TIME_OFF]
    assert day.conflicts == 1
    assert not [row for row in day.rows if row.kind == "free"]


def test_busy_times_are_rows_and_not_free_time():
    (day,) = agenda.agenda_days(
        availability=availability(busy=[Interval(at(12), at(13))]),
        appointments=[],
        first=MONDAY,
        days=1,
        today=MONDAY,
        zone=NEW_YORK,
    )

    assert [(row.kind, row.time_range) for row in day.rows] == [
        ("free", "09:00–12:00 EDT"),
        ("busy", "12:00–13:00 EDT"),
        ("free", "13:00–17:00 EDT"),
    ]
