"""Busy calendars and calendar files for tests."""

from datetime import date, datetime, time

from scheduling.models import BusyCalendar, clinic_zone

SECRET_PATH = "/calendar/ical/dr.p%40example.com/private-9f8e7d6c5b4a39281706f5e4d3c2b1a0/basic.ics"


def make_calendar(url: str, **fields) -> BusyCalendar:
    return BusyCalendar.objects.create(name=fields.pop("name", "Hospital"), url=url, **fields)


def one_event_file(day: date, start: time, end: time, *, summary: str = "Dentist") -> bytes:
    """A Google-shaped calendar with one event on `day`, start-end clinic wall time."""
    zone = clinic_zone().key
    return (
        "BEGIN:VCALENDAR\r\n"
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        "VERSION:2.0\r\n"
        f"X-WR-TIMEZONE:{zone}\r\n"
        "BEGIN:VEVENT\r\n"
        f"DTSTART;TZID={zone}:{datetime.combine(day, start):%Y%m%dT%H%M%S}\r\n"
        f"DTEND;TZID={zone}:{datetime.combine(day, end):%Y%m%dT%H%M%S}\r\n"
        "DTSTAMP:20261128T150000Z\r\n"
        f"UID:{day:%Y%m%d}-one@google.com\r\n"
        f"SUMMARY:{summary}\r\n"
        "STATUS:CONFIRMED\r\n"
        "TRANSP:OPAQUE\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()


def empty_file() -> bytes:
    return (
        b"BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        b"END:VCALENDAR\r\n"
    )
