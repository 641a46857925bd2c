"""The slot engine: which meet-and-greet start times are free.

Pure: plain values in, plain values out. No ORM, no clock (`now` is an argument) and no
Django, so the booking page, slots.json and the booking service's re-check all share one
rule, and tests need neither a database nor a frozen clock.

Time zones
----------
Weekly hours are wall-clock times in the clinic's zone, so every day is walked in that zone:
09:00 stays 09:00 local on both sides of a DST change, and its UTC instant moves. Two kinds of
wall time need a rule:

* Spring forward (02:00-02:59 does not exist in New York on 2026-03-08). A start whose wall
  time falls in the gap is skipped; a round trip through UTC finds it (the wall time comes
  back different). A range that ends inside the gap ends where the gap begins (the
  transition instant): that is the last moment the clocks showed a time before the end.
* Fall back (01:00-01:59 happens twice on 2026-11-01). An ambiguous wall time means its first
  occurrence (fold=0), for range starts, slot starts and range ends alike. The repeated hour is
  never offered a second time, so no two slots share a UTC instant.

Slot length and buffer are real elapsed time: a 10-minute call that starts at 01:55 EST on
spring-forward day ends at 03:05 EDT. Results are aware datetimes in UTC.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Interval:
    """A span of time [start, end) between two aware datetimes; `end` itself is free again."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Rules:
    """How slots are offered (the values of `scheduling.models.BookingRules`).

    slot: length of a call. buffer: free time kept on both sides of a taken interval.
    minimum_notice: how far ahead of `now` a slot must start. horizon_days: the last bookable
    clinic date is now's clinic date plus this many days. daily_cap: a clinic date that already
    has this many taken intervals offers nothing (None: no cap). step: wall-clock distance
    between two offered starts in one range of hours.
    """

    slot: timedelta
    buffer: timedelta
    minimum_notice: timedelta
    horizon_days: int
    daily_cap: int | None
    step: timedelta


def free_slots(
    *,
    hours: Mapping[int, Sequence[tuple[time, time]]],
    time_off: Sequence[Interval],
    taken: Sequence[Interval],
    rules: Rules,
    now: datetime,
    start_date: date,
    days: int,
    clinic_zone: ZoneInfo,
    busy: Sequence[Interval] = (),
) -> list[Interval]:
    """The free slots on the clinic dates start_date .. start_date + days - 1, sorted, in UTC.

    `hours` maps a weekday (0 = Monday, as `date.weekday()`) to ranges of clinic wall-clock
    times; ranges may overlap (a start is offered once). In each range starts go from the
    range start in steps of `rules.step` (wall clock) while the slot, of real length
    `rules.slot`, ends no later than the range end. A slot is left out when it:

    * starts before `now + rules.minimum_notice`;
    * falls on a clinic date after now's clinic date + `rules.horizon_days`;
    * overlaps a `time_off` interval (slot.start < off.end and slot.end > off.start);
    * conflicts with a `taken` interval: slot.start < taken.end + buffer and
      slot.end + buffer > taken.start;
    * conflicts, in the same way, with a `busy` interval (the doctor's own calendar), which
      keeps the buffer clear like a booking but does not count toward the daily cap;
    * falls on a clinic date with `rules.daily_cap` or more taken intervals starting on it.

    Inputs may be unsorted, overlapping and in any zone, but must be aware. An interval that
    ends before it starts covers no time and is ignored. Taken intervals are merged and
    searched with bisect, so the work is O((slots + taken) log taken).

    Raises ValueError for a naive datetime, a negative `days` or a slot or step that is not
    positive, and for a range of hours that does not end after it starts.
    """
    _require_aware(now, "now")
    if rules.slot <= timedelta(0) or rules.step <= timedelta(0):
        raise ValueError("The slot length and the step must be positive.")
    if days < 0:
        raise ValueError("The number of days cannot be negative.")

    earliest_start = now.astimezone(UTC) + rules.minimum_notice
    last_bookable = now.astimezone(clinic_zone).date() + timedelta(days=rules.horizon_days)
    last_date = min(start_date + timedelta(days=days - 1), last_bookable)

    off = _Spans(_utc_pairs(time_off))
    taken_pairs = _utc_pairs(taken)
    blocked = _Spans(taken_pairs + _utc_pairs(busy))
    taken_starts = sorted(start for start, _ in taken_pairs)

    slots: list[Interval] = []
    day = start_date
    day_begins = _closing_instant(datetime.combine(day, time.min), clinic_zone)
    while day <= last_date:
        next_day = day + timedelta(days=1)
        next_day_begins = _closing_instant(datetime.combine(next_day, time.min), clinic_zone)
        # The daily cap counts taken intervals that start on this clinic date.
        taken_today = bisect_left(taken_starts, next_day_begins) - bisect_left(taken_starts, day_begins)
        if rules.daily_cap is None or taken_today < rules.daily_cap:
            # Most days keep one UTC offset from midnight to midnight (no zone changes its clocks
            # and back within a day), so their wall times convert by subtraction: fast, and the
            # same answer. A day of a clock change takes the careful path (module docstring).
            offset = day_begins.astimezone(clinic_zone).utcoffset()
            steady = offset == next_day_begins.astimezone(clinic_zone).utcoffset()
            for opens, closes in hours.get(day.weekday(), ()):
                starts = (
                    _starts_in_steady_range(day, opens, closes, rules, offset)
                    if steady
                    else _starts_in_range(day, opens, closes, rules, clinic_zone)
                )
                for start in starts:
                    end = start + rules.slot
                    if (
                        start >= earliest_start
                        and not off.overlaps(start, end)
                        and not blocked.overlaps(start - rules.buffer, end + rules.buffer)
                    ):
                        slots.append(Interval(start, end))
        day, day_begins = next_day, next_day_begins

    # Ranges of one day may come unsorted or overlap: sort, and keep each start once.
    slots.sort(key=lambda slot: slot.start)
    unique: list[Interval] = []
    for slot in slots:
        if not unique or slot.start != unique[-1].start:
            unique.append(slot)
    return unique


def group_by_day(slots: Iterable[Interval], zone: ZoneInfo) -> list[tuple[date, list[Interval]]]:
    """Slots grouped by their date in a viewer's `zone`, days and slots in time order.

    The slots themselves are returned unchanged (still UTC); show each with
    `slot.start.astimezone(zone)`. A viewer west of the clinic may see a late clinic slot on
    the previous day, which is why grouping follows the viewer's zone, not the clinic's.
    """
    ordered = sorted(slots, key=lambda slot: slot.start)
    by_date = groupby(ordered, key=lambda slot: slot.start.astimezone(zone).date())
    return [(day, list(day_slots)) for day, day_slots in by_date]


def _starts_in_steady_range(day: date, opens: time, closes: time, rules: Rules, offset: timedelta):
    """UTC starts in one range of wall-clock hours on a day that keeps one UTC offset."""
    _require_range(opens, closes)
    closing = datetime.combine(day, closes, tzinfo=UTC) - offset
    start = datetime.combine(day, opens, tzinfo=UTC) - offset
    while start + rules.slot <= closing:
        yield start
        start += rules.step


def _starts_in_range(day: date, opens: time, closes: time, rules: Rules, zone: ZoneInfo):
    """UTC starts in one range of wall-clock hours on `day`, a day when the clocks change.

    Starts step through wall-clock times; a wall time in the gap is skipped and an ambiguous
    one means its first occurrence. The range closes at `_closing_instant`.
    """
    _require_range(opens, closes)
    closing_wall = datetime.combine(day, closes)
    closing = _closing_instant(closing_wall, zone)
    wall = datetime.combine(day, opens)
    while wall < closing_wall:
        start = _existing_instant(wall, zone)
        if start is not None:
            # Starts only grow with the wall clock (fold=0), so the first late one ends the range.
            if start + rules.slot > closing:
                return
            yield start
        wall += rules.step


def _existing_instant(wall: datetime, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a naive clinic wall time; its first occurrence when ambiguous.

    None when the wall time does not exist (the spring-forward gap): converting it to UTC and
    back gives a different wall time.
    """
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _closing_instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant a range closes: the first instant whose clinic wall time reaches `wall`.

    That is the wall time itself (its first occurrence when ambiguous), or, inside a
    spring-forward gap, the transition that skips over it.
    """
    instant = _existing_instant(wall, zone)
    if instant is not None:
        return instant
    # In a gap, fold=1 reads the wall time with the offset after the change (an instant before
    # the transition) and fold=0 with the offset before it (an instant after). Halve the distance
    # to the microsecond; this only runs for a range that ends inside a gap.
    before = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    after = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    offset_after = after.astimezone(zone).utcoffset()
    while after - before > timedelta(microseconds=1):
        middle = before + (after - before) // 2
        if middle.astimezone(zone).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return after


class _Spans:
    """Intervals merged into sorted, disjoint spans, to test overlap with bisect in O(log n)."""

    def __init__(self, pairs: list[tuple[datetime, datetime]]):
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        for start, end in sorted(pairs):
            # Touching spans merge too: an open overlap with the union is an overlap with one of them.
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether some span [a, b) has a < end and b > start."""
        index = bisect_right(self.ends, start)  # the first span ending after `start`
        return index < len(self.starts) and self.starts[index] < end


def _require_range(opens: time, closes: time) -> None:
    if closes <= opens:
        raise ValueError(f"A range of hours must end after it starts ({opens:%H:%M}-{closes:%H:%M}).")


def _require_aware(value: datetime, name: str) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime (got {value!r}).")


def _utc_pairs(intervals: Iterable[Interval]) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC, so later comparisons are between datetimes of one zone (the fast path).

    An interval that ends before it starts covers no time and is left out.
    """
    pairs = []
    for interval in intervals:
        _require_aware(interval.start, "An interval's start")
        _require_aware(interval.end, "An interval's end")
        start, end = _as_utc(interval.start), _as_utc(interval.end)
        if end >= start:
            pairs.append((start, end))
    return pairs


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC else value.astimezone(UTC)
