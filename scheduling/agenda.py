"""The staff agenda and its conflict rule, built from one model of availability.

Pure, like slots.py: plain values in (the `Availability` that `selectors.load_availability`
returns, appointments as objects with `pk`, `start`, `end`, `is_active`), plain values out; no
ORM, no clock. So a busy time or a time off blocks patients and looks blocked to staff through
the same inputs, and a confirmed appointment that the availability no longer allows (time off
added over it, hours shortened, a longer buffer, a lower daily cap, a busy calendar entry) is
marked wherever staff look, however long ago the change was made.

All arithmetic is in UTC; days are walked in the clinic's zone (a DST day has 23 or 25 hours).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduling.selectors import Availability
from scheduling.slots import Interval

OUTSIDE_HOURS = "outside the weekly hours"
DURING_TIME_OFF = "during time off"
DURING_BUSY = "during a busy time in the doctor's calendar"
TOO_CLOSE = "closer to another call than the buffer"
OVER_CAP = "over the daily cap"


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """A clinic date as [start, end) in UTC."""
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def open_hours(availability: Availability, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The weekly hours of a clinic date, sorted, in UTC."""
    return sorted(
        (
            datetime.combine(day, start, tzinfo=zone).astimezone(UTC),
            datetime.combine(day, end, tzinfo=zone).astimezone(UTC),
        )
        for start, end in availability.hours.get(day.weekday(), [])
    )


def _overlaps(start: datetime, end: datetime, intervals: Iterable[Interval]) -> bool:
    return any(start < i.end and end > i.start for i in intervals if i.end > i.start)


def conflicts(*, appointments: Sequence, availability: Availability, zone: ZoneInfo) -> dict[int, str]:
    """Which confirmed appointments fall outside availability, and why: {pk: reason}.

    A confirmed appointment conflicts when it is not inside one range of its clinic date's weekly
    hours, overlaps a time off or a busy time, starts closer than the buffer after the end of the
    confirmed appointment before it, or is past the daily cap (the later ones of an overfull
    day). Cancelled, completed and no-show appointments never conflict.
    """
    rules = availability.rules
    active = sorted((a for a in appointments if a.is_active), key=lambda a: (a.start, a.pk))
    found: dict[int, str] = {}
    per_day: dict[date, int] = {}
    previous_end = None
    for a in active:
        start, end = a.start.astimezone(UTC), a.end.astimezone(UTC)
        day = start.astimezone(zone).date()
        per_day[day] = per_day.get(day, 0) + 1
        if not any(s <= start and end <= e for s, e in open_hours(availability, day, zone)):
            found[a.pk] = OUTSIDE_HOURS
        elif _overlaps(start, end, availability.time_off):
            found[a.pk] = DURING_TIME_OFF
        elif _overlaps(start, end, availability.busy):
            found[a.pk] = DURING_BUSY
        elif previous_end is not None and start < previous_end + rules.buffer:
            found[a.pk] = TOO_CLOSE
        elif rules.daily_cap is not None and per_day[day] > rules.daily_cap:
            found[a.pk] = OVER_CAP
        previous_end = end if previous_end is None else max(previous_end, end)
    return found


@dataclass
class AgendaRow:
    kind: str  # "free", "time_off", "busy" or "appointment"
    start: datetime
    end: datetime
    appointment: object | None = None
    label: str = ""
    whole_day: bool = False
    # Why a confirmed appointment is outside availability ("" when it is not).
    conflict: str = ""

    @property
    def time_range(self) -> str:
        # Formatted here, not with the template's date filter: it leaves the zone out in the
        # repeated hour of a fall-back day, exactly where it is needed.
        if self.whole_day:
            return "All day"
        return f"{self.start:%H:%M}–{self.end:%H:%M %Z}"

    @property
    def sort_key(self):
        return (self.start, {"time_off": 0, "busy": 1, "appointment": 2, "free": 3}[self.kind])


@dataclass
class AgendaDay:
    day: date
    is_today: bool
    open_hours: list[tuple[datetime, datetime]] = field(default_factory=list)
    rows: list[AgendaRow] = field(default_factory=list)

    @property
    def conflicts(self) -> int:
        return sum(1 for row in self.rows if row.conflict)


def _subtract(ranges, cuts):
    """Parts of `ranges` not covered by any of `cuts` (all (start, end) in UTC)."""
    for cut_start, cut_end in cuts:
        pieces = []
        for start, end in ranges:
            if cut_end <= start or cut_start >= end:
                pieces.append((start, end))
                continue
            if cut_start > start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        ranges = pieces
    return ranges


def _clipped(intervals: Iterable[Interval], day_start: datetime, day_end: datetime):
    for i in intervals:
        start, end = max(i.start.astimezone(UTC), day_start), min(i.end.astimezone(UTC), day_end)
        if start < end:
            yield start, end


def agenda_days(
    *,
    availability: Availability,
    appointments: Sequence,
    first: date,
    days: int,
    today: date,
    zone: ZoneInfo,
    time_off_reasons: dict[tuple[datetime, datetime], str] | None = None,
) -> list[AgendaDay]:
    """Each clinic date's open hours, time off, busy times, appointments (marked when outside
    availability) and free time, in the clinic's zone. `appointments` are every appointment
    starting in the range, any status; `time_off_reasons` maps a time off's (start, end) to its
    private reason, shown to staff."""
    reasons = time_off_reasons or {}
    outside = conflicts(appointments=appointments, availability=availability, zone=zone)
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        day_start, day_end = day_bounds(day, zone)
        agenda_day = AgendaDay(day=day, is_today=day == today)
        opening = open_hours(availability, day, zone)
        blocked = []
        for off in availability.time_off:
            for start, end in _clipped([off], day_start, day_end):
                blocked.append((start, end))
                reason = reasons.get((off.start.astimezone(UTC), off.end.astimezone(UTC)), "")
                whole = start == day_start and end == day_end
                agenda_day.rows.append(AgendaRow("time_off", start, end, label=reason, whole_day=whole))
        for start, end in _clipped(availability.busy, day_start, day_end):
            blocked.append((start, end))
            agenda_day.rows.append(AgendaRow("busy", start, end))
        for a in appointments:
            if day_start <= a.start < day_end:
                agenda_day.rows.append(
                    AgendaRow("appointment", a.start, a.end, a, conflict=outside.get(a.pk, ""))
                )
                if a.is_active:
                    blocked.append((a.start, a.end))
        for start, end in _subtract(opening, sorted(blocked)):
            agenda_day.rows.append(AgendaRow("free", start, end))
        agenda_day.rows.sort(key=lambda row: row.sort_key)
        for row in agenda_day.rows:
            row.start, row.end = row.start.astimezone(zone), row.end.astimezone(zone)
        agenda_day.open_hours = [(s.astimezone(zone), e.astimezone(zone)) for s, e in opening]
        result.append(agenda_day)
    return result
