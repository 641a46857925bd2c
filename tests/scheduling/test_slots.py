"""The slot engine on ordinary days: hours, time off, notice, horizon, cap, buffer, input order."""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.slots import Interval, Rules, free_slots, group_by_day

NEW_YORK = ZoneInfo("America/New_York")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
WEEKDAYS_9_TO_5 = {weekday: [(time(9), time(17))] for weekday in range(5)}
MONDAY = date(2026, 4, 13)  # a week far from any clock change


def make_rules(**changes) -> Rules:
    values = {
        "slot": timedelta(minutes=10),
        "buffer": timedelta(minutes=5),
        "minimum_notice": timedelta(hours=24),
        "horizon_days": 30,
        "daily_cap": None,
        "step": timedelta(minutes=15),
    }
    values.update(changes)
    return Rules(**values)


def ny(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK)


def between(day: date, start: tuple[int, int], end: tuple[int, int]) -> Interval:
    return Interval(ny(day, *start), ny(day, *end))


def slots_for(
    *,
    hours=WEEKDAYS_9_TO_5,
    time_off=(),
    taken=(),
    busy=(),
    rules=None,
    now=None,
    start_date=MONDAY,
    days=7,
    zone=NEW_YORK,
):
    return free_slots(
        hours=hours,
        time_off=list(time_off),
        taken=list(taken),
        busy=list(busy),
        rules=rules or make_rules(),
        now=now or ny(MONDAY - timedelta(days=7), 8),
        start_date=start_date,
        days=days,
        clinic_zone=zone,
    )


def clinic_times(slots, zone=NEW_YORK) -> list[str]:
    """Slot starts as the clinic reads them, e.g. "2026-04-13 09:00"."""
    return [f"{slot.start.astimezone(zone):%Y-%m-%d %H:%M}" for slot in slots]


def times_on(slots, day: date, zone=NEW_YORK) -> list[str]:
    return [f"{s.start.astimezone(zone):%H:%M}" for s in slots if s.start.astimezone(zone).date() == day]


def test_a_normal_week_offers_every_quarter_hour_from_nine_to_the_last_ten_minutes_before_five():
    slots = slots_for()

    assert len(slots) == 5 * 32
    days_offered = sorted({slot.start.astimezone(NEW_YORK).date() for slot in slots})
    assert days_offered == [MONDAY + timedelta(days=n) for n in range(5)]
    assert times_on(slots, MONDAY)[:3] == ["09:00", "09:15", "09:30"]
    assert times_on(slots, MONDAY)[-1] == "16:45"
    assert clinic_times(slots)[-1] == "2026-04-17 16:45"
    # The engine answers in UTC, as stored; 09:00 EDT is 13:00 UTC.
    assert slots[0].start == datetime(2026, 4, 13, 13, 0, tzinfo=UTC)
    assert all(slot.start.tzinfo is UTC and slot.end.tzinfo is UTC for slot in slots)
    assert all(slot.end - slot.start == timedelta(minutes=10) for slot in slots)


def test_a_slot_ending_exactly_at_closing_is_offered_and_one_running_past_it_is_not():
    slots = slots_for(
        hours={0: [(time(9), time(9, 30))]},
        rules=make_rules(slot=timedelta(minutes=20), step=timedelta(minutes=10)),
    )

    assert times_on(slots, MONDAY) == ["09:00", "09:10"]


def test_weekends_without_hours_offer_nothing():
    saturday = MONDAY + timedelta(days=5)

    assert slots_for(start_date=saturday, days=2) == []


def test_a_day_of_time_off_offers_nothing_and_the_other_days_stay_open():
    wednesday = MONDAY + timedelta(days=2)
    whole_day = Interval(ny(wednesday, 0), ny(wednesday + timedelta(days=1), 0))

    slots = slots_for(time_off=[whole_day])

    assert times_on(slots, wednesday) == []
    assert len(times_on(slots, MONDAY + timedelta(days=1))) == 32
    assert len(times_on(slots, MONDAY + timedelta(days=3))) == 32


def test_hours_of_time_off_remove_exactly_the_slots_that_overlap_them():
    lunch = between(MONDAY, (12, 5), (13, 0))

    slots = slots_for(time_off=[lunch], days=1)

    offered = times_on(slots, MONDAY)
    assert "11:45" in offered  # ends 11:55, before the time off
    assert "12:00" not in offered  # 12:00-12:10 overlaps 12:05
    assert "12:45" not in offered
    assert "13:00" in offered  # starts as the time off ends


@pytest.mark.parametrize(
    ("now_clock", "offered"),
    [
        ((9, 1), False),  # the 09:00 slot is 23 h 59 min away: inside the notice
        ((9, 0), True),  # exactly 24 h away
        ((8, 59), True),  # 24 h 01 min away
    ],
)
def test_minimum_notice_hides_a_slot_starting_sooner_than_24_hours_from_now(now_clock, offered):
    tuesday = MONDAY + timedelta(days=1)

    slots = slots_for(now=ny(MONDAY, *now_clock), start_date=tuesday, days=1)

    assert ("09:00" in times_on(slots, tuesday)) is offered
    assert "09:15" in times_on(slots, tuesday)


def test_the_horizons_last_clinic_day_is_offered_and_the_day_after_is_not():
    # 22:30 in New York on Wednesday April 1 is already April 2 in UTC: the horizon counts from
    # the clinic's date, so the last bookable day is April 1 + 29 = Thursday April 30.
    now = ny(date(2026, 4, 1), 22, 30)

    slots = slots_for(now=now, rules=make_rules(horizon_days=29), start_date=date(2026, 4, 29), days=3)

    assert len(times_on(slots, date(2026, 4, 29))) == 32
    assert len(times_on(slots, date(2026, 4, 30))) == 32
    assert times_on(slots, date(2026, 5, 1)) == []


def test_a_day_that_reached_the_daily_cap_offers_nothing_and_a_day_below_it_offers_all_its_free_slots():
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    taken = [
        between(tuesday, (9, 0), (9, 10)),
        between(tuesday, (16, 0), (16, 10)),
        between(wednesday, (9, 0), (9, 10)),
    ]

    slots = slots_for(taken=taken, rules=make_rules(daily_cap=2))

    assert times_on(slots, tuesday) == []
    wednesday_times = times_on(slots, wednesday)
    assert wednesday_times[0] == "09:15"
    assert len(wednesday_times) == 31
    assert len(times_on(slots, MONDAY)) == 32


def test_the_daily_cap_counts_bookings_by_clinic_date_not_utc_date():
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    # 21:00 in New York on Tuesday is 01:00 UTC on Wednesday: it counts for Tuesday.
    late_tuesday = between(tuesday, (21, 0), (21, 10))
    hours = {weekday: [(time(9), time(17)), (time(21), time(22))] for weekday in range(5)}

    slots = slots_for(hours=hours, taken=[late_tuesday], rules=make_rules(daily_cap=1))

    assert times_on(slots, tuesday) == []
    assert len(times_on(slots, wednesday)) == 32 + 4


def test_a_busy_time_of_the_doctor_keeps_its_buffer_clear_but_does_not_count_toward_the_cap():
    tuesday = MONDAY + timedelta(days=1)
    dentist = between(tuesday, (10, 0), (11, 0))

    slots = slots_for(busy=[dentist], rules=make_rules(daily_cap=1))

    tuesday_times = times_on(slots, tuesday)
    # 09:45 ends at 09:55, its buffer reaching exactly 10:00; 11:00 starts inside the buffer after.
    assert "09:45" in tuesday_times and "11:15" in tuesday_times
    assert not [t for t in tuesday_times if "10:00" <= t <= "11:00"]
    # A busy time is not a booking: the day still offers its other times under a cap of one.
    assert len(tuesday_times) == 32 - 5


def test_slots_right_before_and_after_a_taken_slot_keep_the_buffer():
    taken = [between(MONDAY, (10, 0), (10, 10))]

    slots = slots_for(taken=taken, rules=make_rules(step=timedelta(minutes=5)), days=1)

    around = [t for t in times_on(slots, MONDAY) if "09:40" <= t <= "10:20"]
    # 09:45-09:55 leaves 5 minutes before 10:00; 10:15 starts 5 minutes after 10:10.
    assert around == ["09:40", "09:45", "10:15", "10:20"]


def test_a_long_taken_interval_blocks_all_its_time_even_with_a_shorter_one_inside_it():
    taken = [between(MONDAY, (10, 0), (11, 0)), between(MONDAY, (10, 15), (10, 25))]

    slots = slots_for(taken=taken, days=1)

    offered = times_on(slots, MONDAY)
    assert "09:45" in offered
    assert [t for t in offered if "09:50" <= t < "11:05"] == []
    assert "11:15" in offered


def test_several_ranges_in_one_day_are_all_offered_in_time_order():
    hours = {0: [(time(14), time(15)), (time(9), time(10))]}

    slots = slots_for(hours=hours, days=1)

    assert times_on(slots, MONDAY) == [
        "09:00", "09:15", "09:30", "09:45", "14:00", "14:15", "14:30", "14:45",
    ]  # fmt: skip


def test_overlapping_ranges_offer_each_start_once():
    hours = {0: [(time(9), time(10)), (time(9, 30), time(10, 30))]}

    slots = slots_for(hours=hours, days=1)

    assert times_on(slots, MONDAY) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]


def test_unsorted_overlapping_inputs_in_other_zones_give_the_same_slots_as_tidy_ones():
    chicago = ZoneInfo("America/Chicago")
    taken = [between(MONDAY + timedelta(days=d), (h, 0), (h, 10)) for d in range(5) for h in (9, 11, 13, 15)]
    taken.append(between(MONDAY, (11, 5), (11, 30)))  # overlaps another taken interval
    time_off = [between(MONDAY + timedelta(days=3), (12, 0), (14, 0)), between(MONDAY, (16, 0), (17, 0))]
    tidy = slots_for(taken=sorted(taken, key=lambda i: i.start), time_off=time_off)

    shuffled = taken[:]
    random.Random(7).shuffle(shuffled)
    in_chicago = [Interval(i.start.astimezone(chicago), i.end.astimezone(chicago)) for i in shuffled]
    messy = slots_for(taken=in_chicago, time_off=list(reversed(time_off)))

    assert messy == tidy
    assert "11:30" not in times_on(messy, MONDAY)  # 11:05-11:30 plus the buffer
    assert "11:45" in times_on(messy, MONDAY)
    assert times_on(messy, MONDAY)[-1] == "15:45"  # time off from 16:00


def test_group_by_day_uses_the_viewers_date():
    tuesday = MONDAY + timedelta(days=1)
    # 00:00-01:00 in New York on Tuesday is Monday evening in Los Angeles.
    hours = {0: [(time(12), time(12, 30))], 1: [(time(0), time(0, 30)), (time(12), time(12, 30))]}
    slots = slots_for(hours=hours, days=2)

    in_new_york = group_by_day(slots, NEW_YORK)
    in_los_angeles = group_by_day(list(reversed(slots)), LOS_ANGELES)

    assert [(day, len(day_slots)) for day, day_slots in in_new_york] == [(MONDAY, 2), (tuesday, 4)]
    assert [(day, len(day_slots)) for day, day_slots in in_los_angeles] == [(MONDAY, 4), (tuesday, 2)]
    assert [f"{s.start.astimezone(LOS_ANGELES):%H:%M}" for s in in_los_angeles[0][1]] == [
        "09:00", "09:15", "21:00", "21:15",
    ]  # fmt: skip


def test_a_naive_now_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="now must be an aware datetime"):
        slots_for(now=datetime(2026, 4, 6, 8, 0))


def test_a_naive_taken_interval_is_refused_with_a_clear_message():
    naive = Interval(datetime(2026, 4, 13, 9), datetime(2026, 4, 13, 9, 10))

    with pytest.raises(ValueError, match="must be an aware datetime"):
        slots_for(taken=[naive])


def test_a_step_of_zero_is_refused_instead_of_looping_forever():
    with pytest.raises(ValueError, match="step must be positive"):
        slots_for(rules=make_rules(step=timedelta(0)))


def test_an_interval_that_ends_before_it_starts_blocks_nothing_and_does_not_count_for_the_cap():
    backwards = between(MONDAY, (10, 10), (10, 0))

    slots = slots_for(taken=[backwards], time_off=[backwards], rules=make_rules(daily_cap=1), days=1)

    assert len(times_on(slots, MONDAY)) == 32


def test_zero_days_offer_nothing():
    assert slots_for(days=0) == []
