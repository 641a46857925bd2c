"""The calendar file: parses, names the right instant in every zone and across DST changes,
keeps its UID, raises its SEQUENCE on each change, and cancels with METHOD:CANCEL."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from scheduling.models import Notification
from scheduling.notifications import deliver_due
from tests.scheduling.notify_factories import EMAIL, NAME, NOTE, PHONE, book, cancel, move, utc

Kind = Notification.Kind


def event_of(ics_text: str):
    calendar = Calendar.from_ical(ics_text)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def sent_ics(subject_end: str) -> str:
    [message] = [m for m in mail.outbox if m.subject.endswith(subject_end)]
    [part] = message.attachments
    return part.get_payload(decode=True).decode()


# The patient picks a wall-clock time in their zone, days before and after the 2031 DST changes
# (March 9 and November 2).
WALL_TIMES = [
    datetime(2031, 3, 7, 9, 0),
    datetime(2031, 3, 10, 9, 0),
    datetime(2031, 10, 31, 9, 0),
    datetime(2031, 11, 3, 9, 0),
]
ZONES = {
    "America/New_York": ("NY", "Eastern Time"),
    "America/Chicago": ("TX", "Central Time"),
    "America/Denver": ("TX", "Mountain Time"),
    "America/Los_Angeles": ("CA", "Pacific Time"),
}
# UTC offsets of each zone on those dates (standard time, daylight time, daylight, standard).
OFFSETS = {
    "America/New_York": [-5, -4, -4, -5],
    "America/Chicago": [-6, -5, -5, -6],
    "America/Denver": [-7, -6, -6, -7],
    "America/Los_Angeles": [-8, -7, -7, -8],
}


@pytest.mark.django_db
@pytest.mark.parametrize("zone", sorted(ZONES))
@pytest.mark.parametrize("index", range(len(WALL_TIMES)))
def test_ics_has_the_utc_instant_the_patient_chose_in_their_zone(zone, index):
    wall = WALL_TIMES[index]
    start = wall.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    state, zone_label = ZONES[zone]
    expected_utc = (wall - timedelta(hours=OFFSETS[zone][index])).replace(tzinfo=UTC)

    book(start=start, state=state, time_zone=zone)
    deliver_due()

    calendar, event = event_of(sent_ics("is confirmed"))
    assert calendar["METHOD"] == "REQUEST"
    assert event.decoded("DTSTART") == expected_utc
    assert event.decoded("DTSTART").utcoffset() == timedelta(0)
    assert event.decoded("DTEND") == expected_utc + timedelta(minutes=10)
    # And the email shows the same wall-clock time the patient picked, zone named.
    [message] = [m for m in mail.outbox if m.subject.endswith("is confirmed")]
    assert f"{wall:%A, %B} {wall.day}, 2031, 9:00 AM {zone_label} (your time)" in message.body


@pytest.mark.django_db
def test_ics_names_the_meeting_not_a_diagnosis_and_nothing_private():
    appointment, token = book(start=utc(2030, 12, 2, 14, 10))

    ics = Notification.objects.get(kind=Kind.CONFIRMATION).ics
    _, event = event_of(ics)
    assert str(event["SUMMARY"]) == "Meet-and-greet with Dr. Panagopoulos"
    assert str(event["UID"]) == f"appointment-{appointment.pk}@127.0.0.1"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["ORGANIZER"]) == "mailto:office@localhost"
    lowered = ics.lower()
    for secret in [NAME, PHONE, NOTE, token, "addiction", "opioid", "naltrexone"]:
        assert secret.lower() not in lowered


@pytest.mark.django_db
def test_each_change_keeps_the_uid_and_raises_the_sequence_and_a_cancellation_cancels():
    appointment, token = book(start=utc(2030, 12, 2, 14, 10))
    move(appointment, utc(2030, 12, 3, 15, 0), manage_token=token)
    cancel(appointment)

    rows = {row.kind: row for row in Notification.objects.exclude(ics="")}
    first_calendar, first = event_of(rows[Kind.CONFIRMATION].ics)
    _, moved = event_of(rows[Kind.RESCHEDULE].ics)
    cancel_calendar, cancelled = event_of(rows[Kind.CANCELLATION].ics)

    assert str(first["UID"]) == str(moved["UID"]) == str(cancelled["UID"])
    assert int(first["SEQUENCE"]) < int(moved["SEQUENCE"]) < int(cancelled["SEQUENCE"])
    assert moved.decoded("DTSTART") == utc(2030, 12, 3, 15, 0)
    assert first_calendar["METHOD"] == "REQUEST"
    assert cancel_calendar["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert str(cancelled["ATTENDEE"]) == f"mailto:{EMAIL}"


@pytest.mark.django_db
def test_cancellation_email_carries_the_cancel_method_on_its_attachment():
    appointment, _ = book(start=utc(2030, 12, 2, 14, 10))
    cancel(appointment)
    deliver_due()

    [message] = [m for m in mail.outbox if m.subject.endswith("is cancelled")]
    [part] = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "CANCEL"
    assert "METHOD:CANCEL" in part.get_payload(decode=True).decode()


ROOM = "https://telehealth.example/dr-p"


@pytest.fixture
def video_room(db):
    from clinic import practice
    from clinic.models import PracticeProfile

    PracticeProfile.objects.update_or_create(pk=1, defaults={"video_room_url": ROOM})
    practice.forget_profile()
    yield ROOM
    practice.forget_profile()


@pytest.mark.django_db
def test_a_video_call_with_the_practices_room_set_carries_it_in_the_ics_and_the_emails(video_room):
    appointment, _ = book(start=utc(2031, 1, 14, 15, 0), contact_method="video")
    deliver_due()

    _, event = event_of(sent_ics("is confirmed"))
    assert str(event["location"]) == ROOM and str(event["url"]) == ROOM
    assert ROOM in str(event["description"])
    [message] = [m for m in mail.outbox if m.subject.endswith("is confirmed")]
    assert f"join the video room:\n{ROOM}" in message.body
    assert f'href="{ROOM}"' in message.alternatives[0][0]
    assert "will email you a link" not in message.body
    [reminder] = appointment.notifications.filter(kind=Kind.REMINDER)
    assert ROOM in reminder.body_text and f'href="{ROOM}"' in reminder.body_html


@pytest.mark.django_db
def test_without_a_room_or_for_a_phone_call_the_wording_stays_as_it_was(video_room):
    from clinic import practice
    from clinic.models import PracticeProfile

    book(start=utc(2031, 1, 14, 15, 0), contact_method="phone")
    PracticeProfile.objects.filter(pk=1).update(video_room_url="")
    practice.forget_profile()
    book(start=utc(2031, 1, 15, 15, 0), contact_method="video", email="other@example.org")
    deliver_due()

    confirmations = [m for m in mail.outbox if m.subject.endswith("is confirmed")]
    assert len(confirmations) == 2
    for message in confirmations:
        assert ROOM not in message.body
        _, event = event_of(message.attachments[0].get_payload(decode=True).decode())
        assert "url" not in event
    video = next(m for m in confirmations if m.to == ["other@example.org"])
    assert "by video. Dr. Panagopoulos will email you a link to join before the call." in video.body
    assert (
        str(event_of(video.attachments[0].get_payload(decode=True).decode())[1]["location"]) == "Video call"
    )
