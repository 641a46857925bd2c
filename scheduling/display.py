"""Time labels, in one home: how a date, a time of day and a zone read to a patient, in the active
language ("Tuesday, December 1, 6:00 AM Pacific Time"; "martes, 1 de diciembre, 6:00 a. m., hora
del Pacífico"). Pages (through the `scheduling_display` template filters) and emails use these and
nothing else, so a label reads the same everywhere.

The patterns are Django date formats, translated in the catalog (locale/es) like any text; the
Spanish catalog also writes Django's "AM"/"PM" as "a. m."/"p. m.", as US Spanish readers expect.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext, gettext_noop, pgettext

from scheduling.models import Appointment, clinic_zone
from scheduling.zones import zone_label

# Django's format character "A" reads these from the active catalog; ours gives "a. m." / "p. m.".
AM_PM = (gettext_noop("AM"), gettext_noop("PM"))


def zone_name(zone_key: str) -> str:
    """ "Pacific Time": the name a person knows a zone by (the IANA key for an unusual one)."""
    return zone_label(zone_key)


def _local(value: date | datetime, zone: ZoneInfo | None) -> date | datetime:
    return value.astimezone(zone) if zone is not None and isinstance(value, datetime) else value


def weekday_date(value: date | datetime, zone: ZoneInfo | None = None) -> str:
    """ "Tuesday, December 1" / "martes, 1 de diciembre"."""
    return dateformat.format(_local(value, zone), pgettext("date format: weekday and day", "l, F j"))


def full_date(value: date | datetime, zone: ZoneInfo | None = None) -> str:
    """ "Tuesday, December 1, 2026" / "martes, 1 de diciembre de 2026"."""
    return dateformat.format(_local(value, zone), pgettext("date format: weekday, day and year", "l, F j, Y"))


def short_weekday(value: date) -> str:
    """ "Tue" / "mar": a day button's first line."""
    return dateformat.format(value, pgettext("date format: short weekday", "D"))


def short_date(value: date) -> str:
    """ "Dec 1" / "1 dic": a day button's second line."""
    return dateformat.format(value, pgettext("date format: short month and day", "M j"))


def clock(instant: datetime, zone: ZoneInfo) -> str:
    """ "6:00 AM" / "6:00 a. m.": the instant on the zone's clock."""
    return dateformat.format(instant.astimezone(zone), pgettext("time format: hour and minutes", "g:i A"))


def format_when(instant: datetime, zone: ZoneInfo, *, year: bool = True) -> str:
    """ "Thursday, November 26, 2026, 9:00 AM Pacific Time": the instant on the zone's clock, named."""
    day = full_date(instant, zone) if year else weekday_date(instant, zone)
    return gettext("%(day)s, %(time)s %(zone)s") % {
        "day": day,
        "time": clock(instant, zone),
        "zone": zone_name(zone.key),
    }


def format_day(instant: datetime, zone: ZoneInfo) -> str:
    return weekday_date(instant, zone)


def masked_phone(e164: str) -> str:
    """ "(•••) •••-0142": enough of the number the doctor will call to catch a typo, and no more
    (a page or an email may be seen over a shoulder or forwarded)."""
    digits = "".join(character for character in e164 if character.isdigit())
    return f"(•••) •••-{digits[-4:]}" if len(digits) >= 4 else ""


def when_labels(appointment: Appointment, instant: datetime | None = None) -> dict:
    """The appointment's time as the patient and the clinic read it (emails and the manage page)."""
    instant = instant or appointment.start
    return {
        "patient": format_when(instant, appointment.patient_zone),
        "clinic": format_when(instant, clinic_zone()),
    }
