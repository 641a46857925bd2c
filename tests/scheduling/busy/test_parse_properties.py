"""Properties of the expansion of repeating events over the DST weeks of 2026-2028, in the four
zones patients book from, written as Google (IANA zone names) and Outlook (Windows zone names,
with and without VTIMEZONE blocks) write them.

The expected times are computed independently with zoneinfo: each occurrence keeps the event's
wall-clock times in its own zone, a wall time that does not exist (spring) or happens twice
(autumn) is read as RFC 5545 says (the offset before the change; the first occurrence), and a
clock change never makes a busy time shorter than the event's length.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scheduling.busy.parse import busy_intervals

# IANA name -> (Windows name, standard offset in hours), as Outlook writes them.
ZONES = {
    "America/New_York": ("Eastern Standard Time", -5),
    "America/Chicago": ("Central Standard Time", -6),
    "America/Denver": ("Mountain Standard Time", -7),
    "America/Los_Angeles": ("Pacific Standard Time", -8),
}
CLOCK_CHANGES = [
    date(2026, 3, 8), date(2026, 11, 1),
    date(2027, 3, 14), date(2027, 11, 7),
    date(2028, 3, 12), date(2028, 11, 5),
]  # fmt: skip
CLINIC = ZoneInfo("America/New_York")


def _offset(hours: int) -> str:
    return f"{'-' if hours < 0 else '+'}{abs(hours):02d}00"


def outlook_vtimezone(windows_name: str, standard: int) -> str:
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{windows_name}\r\n"
        "BEGIN:STANDARD\r\nDTSTART:16010101T020000\r\n"
        f"TZOFFSETFROM:{_offset(standard + 1)}\r\nTZOFFSETTO:{_offset(standard)}\r\n"
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\n"
        f"TZOFFSETFROM:{_offset(standard)}\r\nTZOFFSETTO:{_offset(standard + 1)}\r\n"
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )


def repeating_event_file(
    *, tzid: str, vtimezone: str, first: datetime, length: timedelta, rule: str
) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//busy//EN\r\n"
        f"{vtimezone}"
        "BEGIN:VEVENT\r\nUID:property@tests\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID={tzid}:{first:%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID={tzid}:{first + length:%Y%m%dT%H%M%S}\r\n"
        f"RRULE:{rule}\r\nSUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    # fold=0: a gap time takes the offset before the change, a repeated time its first occurrence.
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def expected_span(wall_start: datetime, length: timedelta, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = wall_to_utc(wall_start, zone)
    return start, max(wall_to_utc(wall_start + length, zone), start + length)


# A series starting up to a week before a clock change, so it runs across it; early hours
# (where the clocks change) drawn often.
first_days = st.builds(
    lambda change, shift: change - timedelta(days=shift), st.sampled_from(CLOCK_CHANGES), st.integers(0, 6)
)
minutes_of_day = st.one_of(
    st.integers(0, 24 * 12 - 1).map(lambda m: m * 5), st.integers(0, 4 * 12).map(lambda m: m * 5)
)


@settings(max_examples=150, deadline=None)
@given(
    zone_name=st.sampled_from(sorted(ZONES)),
    style=st.sampled_from(["google", "outlook", "outlook-without-vtimezone"]),
    first_day=first_days,
    minute=minutes_of_day,
    length_minutes=st.integers(5, 180),
    weekly=st.booleans(),
)
# Always tried: a start the clocks skip, an end at the skipped hour, and the repeated hour.
@example("America/New_York", "google", date(2026, 3, 6), 150, 60, False)
@example("America/Denver", "outlook", date(2027, 3, 14), 0, 120, False)
@example("America/Los_Angeles", "outlook", date(2028, 3, 5), 135, 45, True)
@example("America/Chicago", "outlook-without-vtimezone", date(2026, 10, 30), 90, 30, False)
def test_each_occurrence_keeps_its_wall_time_in_its_zone_across_dst(
    zone_name, style, first_day, minute, length_minutes, weekly
):
    zone = ZoneInfo(zone_name)
    windows_name, standard = ZONES[zone_name]
    tzid, vtimezone = {
        "google": (zone_name, ""),
        "outlook": (windows_name, outlook_vtimezone(windows_name, standard)),
        "outlook-without-vtimezone": (windows_name, ""),
    }[style]
    first = datetime.combine(first_day, time(*divmod(minute, 60)))
    length = timedelta(minutes=length_minutes)
    count, step = (3, timedelta(weeks=1)) if weekly else (10, timedelta(days=1))
    rule = f"FREQ={'WEEKLY' if weekly else 'DAILY'};COUNT={count}"
    data = repeating_event_file(tzid=tzid, vtimezone=vtimezone, first=first, length=length, rule=rule)

    window_start = wall_to_utc(first, zone) - timedelta(days=1)
    window_end = wall_to_utc(first + count * step, zone) + timedelta(days=1)
    intervals = busy_intervals(data, start=window_start, end=window_end, clinic_zone=CLINIC)

    expected = [expected_span(first + k * step, length, zone) for k in range(count)]
    assert [(i.start, i.end) for i in intervals] == expected


@settings(max_examples=100, deadline=None)
@given(
    zone_name=st.sampled_from(sorted(ZONES)),
    first_day=first_days,
    days=st.integers(1, 9),
)
def test_an_all_day_event_blocks_whole_clinic_days_even_on_the_days_clocks_change(zone_name, first_day, days):
    clinic = ZoneInfo(zone_name)
    last_day = first_day + timedelta(days=days)
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\n"
        "BEGIN:VEVENT\r\nUID:all-day@tests\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;VALUE=DATE:{first_day:%Y%m%d}\r\nDTEND;VALUE=DATE:{last_day:%Y%m%d}\r\n"
        "SUMMARY:Away\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    window_start = datetime.combine(first_day - timedelta(days=2), time.min, tzinfo=UTC)

    [interval] = busy_intervals(
        data, start=window_start, end=window_start + timedelta(days=15), clinic_zone=clinic
    )

    assert interval.start.astimezone(clinic).replace(tzinfo=None) == datetime.combine(first_day, time.min)
    assert interval.end.astimezone(clinic).replace(tzinfo=None) == datetime.combine(last_day, time.min)
    hours = (interval.end - interval.start) / timedelta(hours=1)
    assert hours in {24 * days - 1, 24 * days, 24 * days + 1}  # a clock change takes or gives an hour


@settings(max_examples=100, deadline=None)
@given(
    zone_name=st.sampled_from(sorted(ZONES)),
    first_day=first_days,
    minute=minutes_of_day,
    length_minutes=st.integers(5, 180),
)
@example("America/Chicago", date(2026, 3, 8), 150, 30)  # 02:30-03:00: wholly inside the skipped hour
def test_a_floating_time_is_read_in_the_clinic_zone(zone_name, first_day, minute, length_minutes):
    clinic = ZoneInfo(zone_name)
    first = datetime.combine(first_day, time(*divmod(minute, 60)))
    end = first + timedelta(minutes=length_minutes)
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\n"
        "BEGIN:VEVENT\r\nUID:floating@tests\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{first:%Y%m%dT%H%M%S}\r\nDTEND:{end:%Y%m%dT%H%M%S}\r\n"
        "SUMMARY:Physio\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    window_start = datetime.combine(first_day - timedelta(days=2), time.min, tzinfo=UTC)

    intervals = busy_intervals(
        data, start=window_start, end=window_start + timedelta(days=5), clinic_zone=clinic
    )

    assert [(i.start, i.end) for i in intervals] == [expected_span(first, end - first, clinic)]
