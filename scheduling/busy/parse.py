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
* An event that takes no time blocks nothing.

Nothing but the times is kept: no titles, places or attendees.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

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
    return _instant(event.start, clinic_zone), _instant(event.end, clinic_zone)


def _instant(value: date | datetime, clinic_zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        # An all-day date: the clinic day's midnight (an end date is exclusive, as in iCalendar).
        return datetime.combine(value, time.min, tzinfo=clinic_zone).astimezone(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=clinic_zone)  # floating: clinic time
    return value.astimezone(UTC)
