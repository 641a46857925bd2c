"""The calendar file (.ics) attached to a patient's emails.

One event per appointment, with a UID that never changes, so a calendar updates the event
it already has (a higher SEQUENCE wins) instead of adding a second one, and removes it on
METHOD:CANCEL. Times are UTC instants: every calendar shows them in its owner's zone.

Its words (summary, description, location) are in the appointment's language. The file names
the meeting and the doctor, never a diagnosis, and carries nothing about the
patient beyond their own address (an invitation needs an attendee).
"""

from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from icalendar import Calendar, Event, vCalAddress

from clinic import practice

PRODID = f"-//{practice.DOCTOR_NAME}//Meet-and-greet booking//EN"


# The words a patient reads in their calendar, in the appointment's language (gettext_lazy:
# translated when the file is written).
DESCRIPTIONS = {
    "phone": gettext_lazy(
        "Free %(minutes)s-minute meet-and-greet by phone: %(doctor)s will call you at the number you gave."
    ),
    "video": gettext_lazy(
        "Free %(minutes)s-minute meet-and-greet by video: %(doctor)s will email you a link to join "
        "before the call."
    ),
}
LOCATIONS = {
    "phone": pgettext_lazy("calendar file: where the call happens", "Phone call"),
    "video": pgettext_lazy("calendar file: where the call happens", "Video call"),
}
VIDEO_ROOM_DESCRIPTION = gettext_lazy(
    "Free %(minutes)s-minute meet-and-greet by video with %(doctor)s. At the time of the call, join "
    "the video room: %(url)s"
)
NAMES = {"doctor": practice.DOCTOR_NAME, "minutes": practice.MEET_AND_GREET_MINUTES}


def summary() -> str:
    return gettext("Meet-and-greet with %(doctor)s") % NAMES


def video_room_url(appointment) -> str:
    """The practice's video room address for a video call ("" for a phone call or when unset)."""
    return practice.profile().video_room_url if appointment.contact_method == "video" else ""


def event_uid(appointment) -> str:
    """The same for every version of an appointment: calendars match updates by it."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"appointment-{appointment.pk}@{host}"


def appointment_ics(appointment, *, cancel: bool = False, now: datetime | None = None) -> str:
    """The iCalendar text for the appointment as it is now: a REQUEST, or a CANCEL; its words in
    the appointment's language."""
    with translation.override(appointment.language):
        return _ics(appointment, cancel=cancel, now=now)


def _ics(appointment, *, cancel: bool, now: datetime | None) -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")

    event = Event()
    event.add("uid", event_uid(appointment))
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", appointment.start.astimezone(UTC))
    event.add("dtend", appointment.end.astimezone(UTC))
    # The appointment's version is raised on every change, so each message outranks the last.
    event.add("sequence", appointment.version)
    event.add("summary", summary())
    room = video_room_url(appointment)
    if room:
        # A calendar shows LOCATION as a link to press at the time of the call; URL is its field for it.
        event.add("location", room)
        event.add("url", room)
        event.add("description", str(VIDEO_ROOM_DESCRIPTION) % {**NAMES, "url": room})
    else:
        event.add("location", str(LOCATIONS.get(appointment.contact_method, "")))
        event.add("description", str(DESCRIPTIONS.get(appointment.contact_method, "")) % NAMES)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("transp", "OPAQUE")

    office_name, office_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{office_address}")
    if office_name:
        organizer.params["cn"] = office_name
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{appointment.email}")
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "ACCEPTED"
    attendee.params["rsvp"] = "FALSE"
    event.add("attendee", attendee)

    calendar.add_component(event)
    return calendar.to_ical().decode()
