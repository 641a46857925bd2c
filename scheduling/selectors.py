"""Reads for booking: load the slot engine's inputs in a fixed number of queries and call it."""

import time as clock
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic import cache
from scheduling.models import Appointment, BookingRules, BusyInterval, TimeOff, WeeklyHours, clinic_zone
from scheduling.slots import Interval, Rules, free_slots

# Slot lists (and pages built from them) are cached briefly; any change to the calendar
# replaces this version, on every app server at once.
SLOTS_CACHE_VERSION_KEY = "scheduling:slots-version"
SLOTS_CACHE_SECONDS = 30
# The calendar's settings (rules, weekly hours, time off, busy times), without the bookings: they
# change seldom, so the booking service reads them from the cache; any change to them replaces
# this version (and the slots version), bookings do not.
CALENDAR_VERSION_KEY = "scheduling:calendar-version"
CALENDAR_CACHE_SECONDS = 10 * 60


@dataclass(frozen=True)
class Availability:
    """The engine's inputs, as plain values: the one model of when the doctor is available.

    `busy` holds the doctor's own busy times (subscribed calendars); like bookings, they keep
    the buffer clear, but they do not count toward the daily cap.
    """

    hours: dict[int, list[tuple[time, time]]]
    time_off: list[Interval]
    taken: list[Interval]
    rules: Rules
    busy: list[Interval] = field(default_factory=list)


def engine_rules(rules: BookingRules) -> Rules:
    return Rules(
        slot=timedelta(minutes=rules.slot_minutes),
        buffer=timedelta(minutes=rules.buffer_minutes),
        minimum_notice=timedelta(hours=rules.minimum_notice_hours),
        horizon_days=rules.horizon_days,
        daily_cap=rules.daily_cap,
        step=timedelta(minutes=rules.effective_step_minutes),
    )


def load_availability(
    *,
    first_day: date,
    last_day: date,
    rules: BookingRules | None = None,
    exclude_pk: int | None = None,
    settings_from_cache: bool = False,
    calendar: tuple | None = None,
) -> Availability:
    """Hours, time off, taken and busy times around clinic dates first_day..last_day: five queries
    at most, however many appointments or busy times there are.

    `settings_from_cache`: read the calendar's settings (hours, time off, busy times) from the
    cache, as of the last change to them, and only the taken times from the database: the
    booking service's re-check, which runs for every booking while settings seldom change. Not
    for a caller that reads its own uncommitted change to the settings (the staff's preview of
    a change). `calendar`: those settings already read (`cached_calendar_settings`)."""
    zone = clinic_zone()
    rules = rules or BookingRules.load()
    window_start, window_end = _window(first_day, last_day, zone)
    if calendar is not None:
        hours, time_off, busy = calendar
    elif settings_from_cache:
        hours, time_off, busy = cached_calendar_settings(first_day=first_day, last_day=last_day)
    else:
        hours, time_off, busy = _calendar_settings(
            window_start=window_start, window_end=window_end, zone=zone
        )
    taken_rows = Appointment.objects.active().overlapping(window_start, window_end)
    if exclude_pk is not None:
        taken_rows = taken_rows.exclude(pk=exclude_pk)
    taken = [Interval(start, end) for start, end in taken_rows.values_list("start", "end")]
    return Availability(hours=hours, time_off=time_off, taken=taken, busy=busy, rules=engine_rules(rules))


def _window(first_day: date, last_day: date, zone) -> tuple[datetime, datetime]:
    # A day's cap and buffers look a little past its edges.
    window_start = datetime.combine(first_day - timedelta(days=1), time.min, tzinfo=zone)
    window_end = datetime.combine(last_day + timedelta(days=2), time.min, tzinfo=zone)
    return window_start, window_end


def cached_calendar_settings(*, first_day: date, last_day: date) -> tuple:
    """(hours, time off, busy times) around clinic dates first_day..last_day as of the last change
    to them, from the cache (one round trip; built on a miss). Bookings do not change them."""
    zone = clinic_zone()
    window_start, window_end = _window(first_day, last_day, zone)
    return cache.get_or_build(
        version_key=CALENDAR_VERSION_KEY,
        key=f"scheduling:calendar:{window_start.date().isoformat()}:{window_end.date().isoformat()}",
        build=lambda: _calendar_settings(window_start=window_start, window_end=window_end, zone=zone),
        timeout=CALENDAR_CACHE_SECONDS,
    )


def _calendar_settings(*, window_start: datetime, window_end: datetime, zone) -> tuple:
    """Weekly hours, time off and the doctor's busy times in the window: three queries."""
    hours: dict[int, list[tuple[time, time]]] = {}
    for weekday, start, end in WeeklyHours.objects.values_list("weekday", "start_time", "end_time"):
        hours.setdefault(weekday, []).append((start, end))
    time_off = [
        Interval(*off.bounds(zone))
        for off in TimeOff.objects.filter(
            start_date__lte=window_end.date(), end_date__gte=window_start.date()
        ).only("start_date", "start_time", "end_date", "end_time")
    ]
    # The doctor's own calendars (synced by `sync_busy_calendars`); a paused one blocks nothing.
    busy = [
        Interval(start, end)
        for start, end in BusyInterval.objects.filter(
            calendar__paused=False, start__lt=window_end, end__gt=window_start
        ).values_list("start", "end")
    ]
    return hours, time_off, busy


def booking_rules() -> BookingRules:
    """The booking rules as of their last change, from the cache (one round trip, no query)."""
    return cache.get_or_build(
        version_key=CALENDAR_VERSION_KEY,
        key="scheduling:booking-rules",
        build=BookingRules.load,
        timeout=CALENDAR_CACHE_SECONDS,
    )


def clinic_slots(
    *, first_day: date, days: int, now: datetime, availability: Availability | None = None
) -> list[Interval]:
    """Free slots on clinic dates first_day .. first_day + days - 1, in UTC."""
    last_day = first_day + timedelta(days=days - 1)
    availability = availability or load_availability(first_day=first_day, last_day=last_day)
    return free_slots(
        hours=availability.hours,
        time_off=availability.time_off,
        taken=availability.taken,
        busy=availability.busy,
        rules=availability.rules,
        now=now,
        start_date=first_day,
        days=days,
        clinic_zone=clinic_zone(),
    )


def _clinic_slots_key(first_day: date, days: int) -> str:
    return f"scheduling:slots:{first_day.isoformat()}:{days}"


def _cached_clinic_slots(*, first_day: date, days: int, now: datetime) -> tuple[list[Interval], timedelta]:
    # Cached briefly for speed; a booking replaces the version, so nobody is offered a taken time
    # for long. Minimum notice moves with the clock, so it is kept beside the list and re-applied.
    def build():
        availability = load_availability(first_day=first_day, last_day=first_day + timedelta(days=days - 1))
        slots = clinic_slots(first_day=first_day, days=days, now=now, availability=availability)
        return slots, availability.rules.minimum_notice

    return cache.get_or_build(
        version_key=SLOTS_CACHE_VERSION_KEY,
        key=_clinic_slots_key(first_day, days),
        build=build,
        timeout=SLOTS_CACHE_SECONDS,
    )


def _for_everyone_key(name: str) -> str:
    # The window (SLOTS_CACHE_SECONDS of the clock) is part of the key because minimum notice
    # moves with the clock: a page built a minute ago may offer a time that is too close now.
    return f"scheduling:{name}:{int(clock.time()) // SLOTS_CACHE_SECONDS}"


def cached_for_everyone(name: str, build: Callable[[], object]):
    """Something built from the free slots that is the same for every visitor (a slots.json body,
    a rendered times page), kept for the current slot window and dropped with the slot lists."""
    return cache.get_or_build(
        version_key=SLOTS_CACHE_VERSION_KEY,
        key=_for_everyone_key(name),
        build=build,
        timeout=SLOTS_CACHE_SECONDS,
    )


def offered_and_cached_for_everyone(
    start: datetime, name: str, build: Callable[[], object], *, now: datetime | None = None
):
    """`cached_for_everyone(name, build)` when `start` is offered (see is_offered), else None: the
    check and the entry in one round trip when both are cached (the booking form for a time)."""
    now = now or timezone.now()
    day_key, key = _clinic_slots_key(clinic_date(start), 1), _for_everyone_key(name)
    version, (day, entry) = cache.lookup_many(SLOTS_CACHE_VERSION_KEY, [day_key, key])
    if day is cache.MISS:
        day = _cached_clinic_slots(first_day=clinic_date(start), days=1, now=now)
    slots, notice = day
    if not (start >= now + notice and any(slot.start == start for slot in slots)):
        return None
    if entry is cache.MISS:
        entry = build()
        cache.store(key, version, entry, SLOTS_CACHE_SECONDS)
    return entry


def slots_version() -> str:
    """The calendar's current version: it changes whenever the calendar does."""
    return cache.current_version(SLOTS_CACHE_VERSION_KEY)


def invalidate_slots_cache() -> None:
    """Call after any change to hours, time off, rules or busy times (the calendar's settings)."""
    cache.new_version(CALENDAR_VERSION_KEY)
    cache.new_version(SLOTS_CACHE_VERSION_KEY)


def invalidate_booked_times() -> None:
    """Call after any change to appointments: the slot lists change, the settings do not."""
    cache.new_version(SLOTS_CACHE_VERSION_KEY)


def patient_slots(*, tz: str, start: date, days: int, now: datetime | None = None) -> list[Interval]:
    """Free slots whose start falls on the patient's dates start .. start + days - 1 in zone `tz`."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(tz)
    range_start = datetime.combine(start, time.min, tzinfo=zone)
    range_end = datetime.combine(start + timedelta(days=days), time.min, tzinfo=zone)
    clinic = clinic_zone()
    first_day = range_start.astimezone(clinic).date()
    last_day = range_end.astimezone(clinic).date()
    slots, notice = _cached_clinic_slots(first_day=first_day, days=(last_day - first_day).days + 1, now=now)
    return [s for s in slots if range_start <= s.start < range_end and s.start >= now + notice]


def is_offered(start: datetime, *, now: datetime | None = None) -> bool:
    """Whether patients are offered a slot starting at `start` now, from the cached day's slots
    (cheap, for showing the form; the booking service re-checks from the database)."""
    now = now or timezone.now()
    slots, notice = _cached_clinic_slots(first_day=clinic_date(start), days=1, now=now)
    return start >= now + notice and any(slot.start == start for slot in slots)


def slots_on_clinic_day(
    *,
    day: date,
    now: datetime,
    rules: BookingRules | None = None,
    exclude_pk: int | None = None,
    settings_from_cache: bool = False,
    calendar: tuple | None = None,
) -> list[Interval]:
    """Free slots of one clinic date, with the taken times fresh from the database (and the rest
    too, unless `settings_from_cache` or `calendar`: see load_availability)."""
    availability = load_availability(
        first_day=day,
        last_day=day,
        rules=rules,
        exclude_pk=exclude_pk,
        settings_from_cache=settings_from_cache,
        calendar=calendar,
    )
    return clinic_slots(first_day=day, days=1, now=now, availability=availability)


def nearby_slots(*, around: datetime, now: datetime | None = None, limit: int = 3) -> list[Interval]:
    """The free slots closest in time to `around` (for "that time is no longer available")."""
    now = now or timezone.now()
    first_day = max(around.astimezone(clinic_zone()).date() - timedelta(days=3), timezone.localdate(now))
    slots = clinic_slots(first_day=first_day, days=10, now=now)
    closest = sorted(slots, key=lambda s: abs(s.start - around))[:limit]
    return sorted(closest, key=lambda s: s.start)


def clinic_date(instant: datetime) -> date:
    return instant.astimezone(clinic_zone()).date()
