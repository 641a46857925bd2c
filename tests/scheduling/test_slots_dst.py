"""The slot engine across clock changes, with New York as the clinic and viewers in all four zones.

Expected offsets and wall times below come from the US rules (clocks change at 02:00 local on
the second Sunday of March and the first Sunday of November), not from the code under test.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.slots import Rules, free_slots, group_by_day

CLINIC = ZoneInfo("America/New_York")
VIEWER_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
SPRING_FORWARD = [date(2026, 3, 8), date(2027, 3, 14)]
FALL_BACK = [date(2026, 11, 1), date(2027, 11, 7)]
EVERY_DAY_9_TO_5 = {weekday: [(time(9), time(17))] for weekday in range(7)}

# Standard-time UTC offset of each viewer zone, in hours.
STANDARD_OFFSET = {
    "America/New_York": -5,
    "America/Chicago": -6,
    "America/Denver": -7,
    "America/Los_Angeles": -8,
}


def make_rules(slot=10, step=15) -> Rules:
    return Rules(
        slot=timedelta(minutes=slot),
        buffer=timedelta(minutes=5),
        minimum_notice=timedelta(hours=24),
        horizon_days=60,
        daily_cap=None,
        step=timedelta(minutes=step),
    )


def slots_around(change_day: date, hours=EVERY_DAY_9_TO_5, rules=None, days_before=1, days=3):
    start_date = change_day - timedelta(days=days_before)
    return free_slots(
        hours=hours,
        time_off=[],
        taken=[],
        rules=rules or make_rules(),
        now=datetime.combine(start_date - timedelta(days=7), time(12), tzinfo=CLINIC),
        start_date=start_date,
        days=days,
        clinic_zone=CLINIC,
    )


def slots_on(change_day: date, hours, rules=None):
    """The slots of the change day alone, for hours given on Sundays (both changes fall on one)."""
    return slots_around(change_day, hours=hours, rules=rules, days_before=0, days=1)


def clinic_readings(slots) -> list[str]:
    """Each start as the clinic's clock shows it, with the UTC offset, e.g. "01:45-05:00"."""
    return [f"{slot.start.astimezone(CLINIC):%H:%M%z}" for slot in slots]


def offset_hours(moment: datetime) -> float:
    return moment.utcoffset() / timedelta(hours=1)


@pytest.mark.parametrize("change_day", SPRING_FORWARD + FALL_BACK)
def test_opening_hours_stay_at_nine_clinic_time_on_both_sides_of_the_change(change_day):
    spring = change_day in SPRING_FORWARD
    offset_before, offset_after = (-5, -4) if spring else (-4, -5)

    slots = slots_around(change_day)

    by_day = group_by_day(slots, CLINIC)
    assert [day for day, _ in by_day] == [
        change_day - timedelta(days=1),
        change_day,
        change_day + timedelta(1),
    ]
    for day, day_slots in by_day:
        first = day_slots[0].start.astimezone(CLINIC)
        assert (first.hour, first.minute) == (9, 0)
        assert offset_hours(first) == (offset_before if day < change_day else offset_after)
        # No gap and no duplicate: 32 starts, each exactly 15 real minutes after the last.
        assert len(day_slots) == 32
        steps = {b.start - a.start for a, b in zip(day_slots, day_slots[1:], strict=False)}
        assert steps == {timedelta(minutes=15)}
    assert by_day[1][1][0].start == datetime.combine(change_day, time(9 - offset_after), tzinfo=UTC)


@pytest.mark.parametrize("viewer", VIEWER_ZONES)
@pytest.mark.parametrize("change_day", SPRING_FORWARD + FALL_BACK)
def test_viewers_in_each_zone_see_the_same_slots_at_their_own_offset(change_day, viewer):
    zone = ZoneInfo(viewer)
    daylight_after = change_day in SPRING_FORWARD
    standard = STANDARD_OFFSET[viewer]

    slots = slots_around(change_day)

    by_day = group_by_day(slots, zone)
    assert [len(day_slots) for _, day_slots in by_day] == [32, 32, 32]
    for day, day_slots in by_day:
        first = day_slots[0].start.astimezone(zone)
        daylight = daylight_after if day >= change_day else not daylight_after
        expected_offset = standard + 1 if daylight else standard
        assert offset_hours(first) == expected_offset
        # 09:00 in New York is 08:00 in Chicago, 07:00 in Denver and 06:00 in Los Angeles.
        assert (first.hour, first.minute) == (9 + standard + 5, 0)
        assert all(offset_hours(s.start.astimezone(zone)) == expected_offset for s in day_slots)


# A clinic open overnight on a change day: the zones change at 02:00 of their own clock, so in the
# early hours the four viewers are not all on the same side of the change.
EARLY_READINGS = {
    # Spring forward: 04:00 EDT is 08:00 UTC. Chicago changed at 08:00 UTC, Denver changes at
    # 09:00 UTC, Los Angeles at 10:00 UTC.
    "spring": {
        "America/New_York": "04:00-0400",
        "America/Chicago": "03:00-0500",
        "America/Denver": "01:00-0700",
        "America/Los_Angeles": "00:00-0800",
    },
    # Fall back: 03:00 EST is 08:00 UTC. Chicago changed at 07:00 UTC, Denver changes at exactly
    # 08:00 UTC (so it already reads 01:00 MST), Los Angeles at 09:00 UTC.
    "fall": {
        "America/New_York": "03:00-0500",
        "America/Chicago": "02:00-0600",
        "America/Denver": "01:00-0700",
        "America/Los_Angeles": "01:00-0700",
    },
}


@pytest.mark.parametrize("viewer", VIEWER_ZONES)
@pytest.mark.parametrize("change_day", SPRING_FORWARD + FALL_BACK)
def test_early_morning_slots_on_a_change_day_read_right_in_each_viewer_zone(change_day, viewer):
    season = "spring" if change_day in SPRING_FORWARD else "fall"
    slots = slots_on(change_day, {6: [(time(0), time(6))]})
    clinic_four = 4 if season == "spring" else 3  # a wall time on the far side of the change

    (slot,) = [s for s in slots if s.start.astimezone(CLINIC).hour == clinic_four and s.start.minute == 0]

    reading = slot.start.astimezone(ZoneInfo(viewer))
    assert f"{reading:%H:%M%z}" == EARLY_READINGS[season][viewer]


@pytest.mark.parametrize("change_day", SPRING_FORWARD)
def test_hours_across_the_spring_gap_offer_no_slot_at_two_something(change_day):
    slots = slots_on(change_day, {6: [(time(1), time(4))]})

    assert clinic_readings(slots) == [
        "01:00-0500", "01:15-0500", "01:30-0500", "01:45-0500",
        "03:00-0400", "03:15-0400", "03:30-0400", "03:45-0400",
    ]  # fmt: skip
    # 01:45 EST is 06:45 UTC and 03:00 EDT is 07:00 UTC: real time runs on without a hole.
    assert slots[4].start - slots[3].start == timedelta(minutes=15)


@pytest.mark.parametrize("change_day", SPRING_FORWARD)
def test_a_slot_may_straddle_the_gap_and_lasts_its_real_length(change_day):
    rules = make_rules(slot=10, step=25)

    slots = slots_on(change_day, {6: [(time(1), time(4))]}, rules)

    # Wall starts 01:00, 01:25, 01:50, (02:15 and 02:40 do not exist), 03:05, 03:30.
    assert clinic_readings(slots) == ["01:00-0500", "01:25-0500", "01:50-0500", "03:05-0400", "03:30-0400"]
    straddling = slots[2]
    assert f"{straddling.end.astimezone(CLINIC):%H:%M%z}" == "03:00-0400"
    assert straddling.end - straddling.start == timedelta(minutes=10)


@pytest.mark.parametrize("change_day", SPRING_FORWARD)
def test_a_range_ending_inside_the_gap_closes_when_the_gap_begins(change_day):
    rules = make_rules(slot=20, step=10)

    slots = slots_on(change_day, {6: [(time(1), time(2, 30))]}, rules)

    # 01:40 EST ends at the change (03:00 EDT); 01:50 EST would end at 03:10 EDT, after closing.
    assert clinic_readings(slots)[-1] == "01:40-0500"
    assert len(slots) == 5


@pytest.mark.parametrize("change_day", FALL_BACK)
def test_hours_across_the_repeated_hour_offer_it_once_with_no_duplicate_instants(change_day):
    slots = slots_on(change_day, {6: [(time(0), time(3))]})

    assert clinic_readings(slots) == [
        "00:00-0400", "00:15-0400", "00:30-0400", "00:45-0400",
        "01:00-0400", "01:15-0400", "01:30-0400", "01:45-0400",  # the first 01:xx only
        "02:00-0500", "02:15-0500", "02:30-0500", "02:45-0500",
    ]  # fmt: skip
    instants = [slot.start for slot in slots]
    assert len(set(instants)) == len(instants)
    assert instants == sorted(instants)
    # 01:45 EDT is 05:45 UTC and 02:00 EST is 07:00 UTC: the repeated hour is not offered.
    assert slots[8].start - slots[7].start == timedelta(minutes=75)


@pytest.mark.parametrize("change_day", FALL_BACK)
def test_a_range_ending_in_the_repeated_hour_ends_at_its_first_occurrence(change_day):
    slots = slots_on(change_day, {6: [(time(1), time(1, 30))]})

    assert clinic_readings(slots) == ["01:00-0400", "01:15-0400"]


@pytest.mark.parametrize("change_day", FALL_BACK)
def test_a_slot_crossing_the_fall_back_lasts_its_real_length(change_day):
    rules = make_rules(slot=10, step=5)

    slots = slots_on(change_day, {6: [(time(1, 50), time(2, 10))]}, rules)

    # 01:50 and 01:55 EDT end in the repeated hour (01:00 and 01:05 EST); then 02:00 EST.
    assert clinic_readings(slots) == ["01:50-0400", "01:55-0400", "02:00-0500"]
    assert f"{slots[1].end.astimezone(CLINIC):%H:%M%z}" == "01:05-0500"
