"""Time the slot engine: 62 days of hours with 3,000 taken intervals.

Not collected by pytest (the name does not start with test_). Run from the project root:

    .venv/bin/python -m tests.scheduling.time_slots

Prints the median of 20 runs in milliseconds (the budget is well under 50 ms).
"""

import random
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.slots import Interval, Rules, free_slots

ZONE = ZoneInfo("America/New_York")
DAYS = 62
RUNS = 20


def build_inputs():
    rng = random.Random(2026)
    start_date = date(2026, 10, 1)  # the window crosses the fall-back change of Nov 1
    window_start = datetime.combine(start_date, time(0), tzinfo=ZONE).astimezone(UTC)
    # Every day, two ranges: 64 candidate starts a day, about 4,000 in all.
    hours = {weekday: [(time(7, 0), time(12, 0)), (time(13, 0), time(21, 0))] for weekday in range(7)}
    taken = []
    for _ in range(3_000):
        start = window_start + timedelta(minutes=5 * rng.randrange(DAYS * 24 * 12))
        taken.append(Interval(start, start + timedelta(minutes=10)))
    time_off = [
        Interval(window_start + timedelta(days=d, hours=12), window_start + timedelta(days=d, hours=15))
        for d in range(0, DAYS, 7)
    ]
    rules = Rules(
        slot=timedelta(minutes=10),
        buffer=timedelta(minutes=5),
        minimum_notice=timedelta(hours=24),
        horizon_days=90,
        daily_cap=80,
        step=timedelta(minutes=15),
    )
    return {
        "hours": hours,
        "time_off": time_off,
        "taken": taken,  # in random order, as the engine must accept
        "rules": rules,
        "now": window_start - timedelta(days=2),
        "start_date": start_date,
        "days": DAYS,
        "clinic_zone": ZONE,
    }


def main():
    inputs = build_inputs()
    timings = []
    for _ in range(RUNS):
        began = clock.perf_counter()
        slots = free_slots(**inputs)
        timings.append((clock.perf_counter() - began) * 1000)
    print(
        f"free_slots: {DAYS} days, {len(inputs['taken'])} taken, {len(slots)} free slots; "
        f"median of {RUNS} runs {statistics.median(timings):.2f} ms (min {min(timings):.2f}, "
        f"max {max(timings):.2f})"
    )


if __name__ == "__main__":
    main()
