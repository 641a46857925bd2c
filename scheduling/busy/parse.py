"""Read a calendar file into busy intervals: pure (bytes and times in, intervals out).

Real calendars are messy, so the expansion is left to maintained libraries: `icalendar` reads
the file (VTIMEZONE blocks, and Windows zone names such as "Eastern Standard Time" as Outlook
writes them) and `recurring-ical-events` expands repeats (RRULE, RDATE, EXDATE, and RECURRENCE-ID
overrides of one occurrence), each in the event's own zone, so a weekly 09:00 stays 09:00 across
DST. Google's X-WR-TIMEZONE is applied too. The rules kept here:

* An event marked free (TRANSP:TRANSPARENT, or Outlook's X-MICROSOFT-CDO-BUSYSTATUS:FREE) or
  cancelled (STATUS:CANCELLED) blocks nothing.
* An all-day event (DATE values) blocks whole clinic days, midnight to midnight clinic time.
* A floating time (no zone) is read in the clinic's zone.
* A zone with a known name (IANA, or Windows as Outlook writes it) is read with the maintained
  IANA rules, not the file's VTIMEZONE (Outlook's are often stale), and a wall time the clocks
  skip or repeat is read as RFC 5545 says: the offset before the change, the first occurrence.
* A clock change never shortens a busy time: an occurrence keeps its wall-clock span, and at
  least its own length (01:30-03:30 on spring-forward night blocks two real hours).
* An event that takes no time blocks nothing.

Nothing but the times is kept: no titles, places or attendees.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
from icalendar.timezone import tzid_from_dt
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from scheduling.slots import Interval

MSG_UNREADABLE = "the address did not give a readable iCalendar file"

FREE_MARKS = {("TRANSP", "TRANSPARENT"), ("X-MICROSOFT-CDO-BUSYSTATUS", "FREE"), ("STATUS", "CANCELLED")}


class UnreadableCalendar(Exception):
    message = MSG_UNREADABLE


def busy_intervals(data: bytes, *, start: datetime, end: datetime, clinic_zone: ZoneInfo) -> list[Interval]:
    """The busy times of the calendar file `data` that overlap [start, end), sorted, in UTC.

    Raises UnreadableCalendar when `data` is not an iCalendar file, or has an event that
    cannot be read: keeping the last good busy times is safer than skipping what may be busy.
    """
    try:
        calendar = icalendar.Calendar.from_ical(data)
        if calendar.name != "VCALENDAR":
            raise UnreadableCalendar
        # A day of slack each side: floating and all-day times are placed in the clinic's zone
        # only below, so the library's own window must not cut them first.
        occurrences = recurring_ical_events.of(calendar).between(
            start - timedelta(days=1), end + timedelta(days=1)
        )
        spans = {_span(event, clinic_zone) for event in occurrences if _blocks(event)}
    except UnreadableCalendar:
        raise
    except Exception:  # noqa: BLE001 -- whatever the parser raises on a stranger's file means "unreadable"
        raise UnreadableCalendar from None
    return [
        Interval(span_start, span_end)
        for span_start, span_end in sorted(spans)
        if span_end > span_start and span_start < end and span_end > start
    ]


def _blocks(event: icalendar.Event) -> bool:
    return not any(str(event.get(name, "")).upper() == value for name, value in FREE_MARKS)


def _span(event: icalendar.Event, clinic_zone: ZoneInfo) -> tuple[datetime, datetime]:
    start, end = event.start, event.end
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        # All-day: from the clinic day's midnight (the end date is exclusive, as in iCalendar).
        return _midnight(start, clinic_zone), _midnight(end, clinic_zone)
    start_zone, end_zone = _zone(start, clinic_zone), _zone(end, clinic_zone)
    start_at, end_at = _instant(start, start_zone), _instant(end, end_zone)
    if start_zone is end_zone:
        length = end.replace(tzinfo=None) - start.replace(tzinfo=None)
        end_at = max(end_at, start_at + length)
    return start_at, end_at


def _zone(value: datetime, clinic_zone: ZoneInfo) -> tzinfo:
    """The zone to read a wall time in: the clinic's for a floating time, the IANA zone when the
    time's zone has a known name, else the file's own VTIMEZONE."""
    if value.tzinfo is None:
        return clinic_zone
    name = tzid_from_dt(value)
    if name:
        try:
            return ZoneInfo(WINDOWS_TO_OLSON.get(name, name))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return value.tzinfo


def _instant(value: datetime, zone: tzinfo) -> datetime:
    # fold=0: a skipped wall time takes the offset before the change, a repeated one comes first.
    return value.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _midnight(day: date, clinic_zone: ZoneInfo) -> datetime:
    day = day.date() if isinstance(day, datetime) else day
    return datetime.combine(day, time.min, tzinfo=clinic_zone).astimezone(UTC)
