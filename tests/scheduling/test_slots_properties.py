"""Properties of the slot engine for random hours, time off and bookings, 2026-2028, four zones.

The checks use brute force (every slot against every interval), independent of the engine's
merging and bisecting.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.slots import Interval, Rules, free_slots

ZONES = [
    ZoneInfo(name)
    for name in ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
]
CLOCK_CHANGES = [
    date(2026, 3, 8), date(2026, 11, 1),
    date(2027, 3, 14), date(2027, 11, 7),
    date(2028, 3, 12), date(2028, 11, 5),
]  # fmt: skip
MINUTES_A_DAY = 24 * 60

# Random days, with the days of a clock change (and the day before) drawn often.
start_dates = st.one_of(
    st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    st.sampled_from([day + timedelta(days=shift) for day in CLOCK_CHANGES for shift in (-1, 0)]),
)
# Minutes of the day, with the early hours (where clocks change) drawn often.
minutes_of_day = st.one_of(st.integers(0, MINUTES_A_DAY - 1), st.integers(0, 4 * 60).map(lambda m: m - m % 5))


@st.composite
def ranges_of_hours(draw, early=False):
    minutes = st.integers(0, 5 * 60) if early else minutes_of_day
    opens, closes = sorted(draw(st.lists(minutes, min_size=2, max_size=2, unique=True)))
    return time(*divmod(opens, 60)), time(*divmod(closes, 60))


@st.composite
def scenarios(draw, on_clock_change_days=False):
    """Keyword arguments for free_slots. `on_clock_change_days`: one change day (a Sunday), with
    hours in the small hours where the gap and the repeated hour are."""
    zone = draw(st.sampled_from(ZONES))
    day_ranges = st.lists(ranges_of_hours(), min_size=1, max_size=3)
    if on_clock_change_days:
        start_date, days = draw(st.sampled_from(CLOCK_CHANGES)), 1
        hours = {6: draw(st.lists(ranges_of_hours(early=True), min_size=1, max_size=3))}
    else:
        start_date, days = draw(start_dates), draw(st.integers(1, 8))
        hours = draw(st.dictionaries(st.integers(0, 6), day_ranges, min_size=1, max_size=7))
    rules = Rules(
        slot=timedelta(minutes=draw(st.integers(1, 120))),
        buffer=timedelta(minutes=draw(st.integers(0, 30))),
        minimum_notice=timedelta(minutes=draw(st.integers(0, 36 * 60))),
        horizon_days=draw(st.integers(0, 30)),
        daily_cap=draw(st.sampled_from([None, None, None, 0, 1, 2, 4])),
        step=timedelta(minutes=draw(st.integers(5, 120))),
    )
    window_start = datetime.combine(start_date, time(0), tzinfo=UTC)

    def instant(lowest_day, highest_day):
        minutes = draw(st.integers(lowest_day * MINUTES_A_DAY, highest_day * MINUTES_A_DAY))
        # Given in any of the zones: the engine must not care.
        return (window_start + timedelta(minutes=minutes)).astimezone(draw(st.sampled_from(ZONES)))

    def intervals(longest_minutes, max_size):
        found = []
        for _ in range(draw(st.integers(0, max_size))):
            start = instant(-1, days + 1)
            # Added in UTC: wall-clock arithmetic could end an interval before it starts.
            length = timedelta(minutes=draw(st.integers(0, longest_minutes)))
            found.append(Interval(start, (start.astimezone(UTC) + length).astimezone(start.tzinfo)))
        return found

    return {
        "hours": hours,
        "time_off": intervals(600, 4),
        "taken": intervals(120, 12),
        "rules": rules,
        "now": instant(-3, days // 2),
        "start_date": start_date,
        "days": days,
        "clinic_zone": zone,
    }


def latest_reading(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The later of the two ways to read a wall time (they differ only around a clock change)."""
    return max(datetime.combine(day, wall.replace(fold=fold), tzinfo=zone) for fold in (0, 1))


def clock_changes_on(day: date, zone: ZoneInfo) -> bool:
    offsets = {
        (datetime.combine(day, time(0), tzinfo=UTC) + timedelta(minutes=m)).astimezone(zone).utcoffset()
        for m in range(-14 * 60, 38 * 60, 30)
    }
    return len(offsets) > 1


def in_utc(intervals) -> list[tuple[datetime, datetime]]:
    # Arithmetic on an aware datetime in a zone moves its wall clock; in UTC it is real time.
    return [(interval.start.astimezone(UTC), interval.end.astimezone(UTC)) for interval in intervals]


def clinic_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


PROPERTY_SETTINGS = settings(deadline=None, max_examples=200)


@PROPERTY_SETTINGS
@given(st.one_of(scenarios(), scenarios(on_clock_change_days=True)))
def test_every_slot_is_inside_the_hours_on_the_step_and_clear_of_every_rule(scenario):
    zone, rules, hours = scenario["clinic_zone"], scenario["rules"], scenario["hours"]
    earliest = scenario["now"].astimezone(UTC) + rules.minimum_notice  # real time, not wall clock
    last_bookable = clinic_date(scenario["now"], zone) + timedelta(days=rules.horizon_days)

    slots = free_slots(**scenario)

    starts = [slot.start for slot in slots]
    assert all(a < b for a, b in zip(starts, starts[1:], strict=False)), "starts strictly increase"
    for slot in slots:
        assert slot.start.tzinfo is UTC and slot.end.tzinfo is UTC
        assert slot.end - slot.start == rules.slot
        local = slot.start.astimezone(zone)
        day = local.date()
        assert local.fold == 0, "an ambiguous wall time is read as its first occurrence"
        assert scenario["start_date"] <= day < scenario["start_date"] + timedelta(days=scenario["days"])
        assert day <= last_bookable
        assert slot.start >= earliest
        # Inside one range, on its wall-clock step, ending by the range's end on the same date.
        wall = local.replace(tzinfo=None)
        assert any(
            opens <= local.time() < closes
            and (wall - datetime.combine(day, opens)) % rules.step == timedelta(0)
            and slot.end <= latest_reading(day, closes, zone)
            for opens, closes in hours.get(day.weekday(), [])
        ), f"{local} is outside the hours {hours.get(day.weekday())}"
        assert clinic_date(slot.end - timedelta(microseconds=1), zone) == day
        for off_start, off_end in in_utc(scenario["time_off"]):
            assert not (slot.start < off_end and slot.end > off_start), "overlaps time off"
        for busy_start, busy_end in in_utc(scenario["taken"]):
            conflict = slot.start < busy_end + rules.buffer and slot.end + rules.buffer > busy_start
            assert not conflict, "too close to a taken interval"
        if rules.daily_cap is not None:
            taken_that_day = sum(clinic_date(busy.start, zone) == day for busy in scenario["taken"])
            assert taken_that_day < rules.daily_cap


@PROPERTY_SETTINGS
@given(scenarios())
def test_on_days_without_a_clock_change_every_allowed_start_is_offered(scenario):
    zone, rules = scenario["clinic_zone"], scenario["rules"]
    earliest = scenario["now"].astimezone(UTC) + rules.minimum_notice  # real time, not wall clock
    last_bookable = clinic_date(scenario["now"], zone) + timedelta(days=rules.horizon_days)

    slots = free_slots(**scenario)

    time_off, taken = in_utc(scenario["time_off"]), in_utc(scenario["taken"])
    for n in range(scenario["days"]):
        day = scenario["start_date"] + timedelta(days=n)
        if clock_changes_on(day, zone):
            continue
        taken_that_day = sum(clinic_date(busy.start, zone) == day for busy in scenario["taken"])
        expected = set()
        if day <= last_bookable and (rules.daily_cap is None or taken_that_day < rules.daily_cap):
            for opens, closes in scenario["hours"].get(day.weekday(), []):
                # No clock change today: one UTC offset, so wall-clock and real minutes agree.
                start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
                while start + rules.slot <= datetime.combine(day, closes, tzinfo=zone):
                    end = start + rules.slot
                    if (
                        start >= earliest
                        and not any(start < off_end and end > off_start for off_start, off_end in time_off)
                        and not any(
                            start < busy_end + rules.buffer and end + rules.buffer > busy_start
                            for busy_start, busy_end in taken
                        )
                    ):
                        expected.add(start)
                    start += rules.step
        offered = {slot.start for slot in slots if clinic_date(slot.start, zone) == day}
        assert offered == expected, day
