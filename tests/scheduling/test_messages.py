"""Every message to a patient in the patient's language (stored on the appointment), whoever or
whatever triggers it and whenever it is sent; staff alerts in English whatever the language."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from icalendar import Calendar

from clinic.audit import Actor
from clinic.models import PracticeProfile
from scheduling import messages, services
from scheduling.models import Appointment, Notification
from tests.clinic.catalog import english_sentences, entries
from tests.html import visible_text
from tests.scheduling.factories import booking_data, free_slots, open_every_day
from tests.scheduling.notify_factories import EMAIL, PHONE, as_a_request, book, cancel, in_days, move, utc

Kind = Notification.Kind
Status = Notification.Status

pytestmark = pytest.mark.django_db

# A Texas patient on Central Time who booked in Spanish.
SPANISH = {"language": "es", "state": "TX", "time_zone": "America/Chicago"}
# Monday 2030-12-02 14:10 UTC: 8:10 AM in Chicago, 9:10 AM at the clinic in New York.
START = utc(2030, 12, 2, 14, 10)
PATIENT_WHEN = "lunes, 2 de diciembre de 2030, 8:10 a. m., hora del Centro"
CLINIC_WHEN = "lunes, 2 de diciembre de 2030, 9:10 a. m., hora del Este"
# Tuesday 2030-12-03 15:00 UTC: 9:00 AM in Chicago.
LATER = utc(2030, 12, 3, 15, 0)
LATER_WHEN = "martes, 3 de diciembre de 2030, 9:00 a. m., hora del Centro"
REMINDER_SUBJECT = (
    "Recordatorio: su llamada de presentación con el Dr. Panagopoulos es el lunes, 2 de diciembre"
)
CANCELLED_SUBJECT = "Su llamada de presentación con el Dr. Panagopoulos está cancelada"

# Words of an English date that must never show in a Spanish message.
ENGLISH_DATE_WORDS = re.compile(r"\b(Monday|Tuesday|December|AM|PM|Central Time|Eastern Time)\b")

PATIENT_KINDS = {Kind.CONFIRMATION, Kind.REMINDER, Kind.RESCHEDULE, Kind.CANCELLATION, Kind.MANAGE_LINK}


def row(appointment, kind) -> Notification:
    return appointment.notifications.filter(kind=kind).latest("pk")


def ics_event(text: str):
    [event] = Calendar.from_ical(text).walk("VEVENT")
    return event


def english_catalog_sentences() -> set[str]:
    return {sentence for entry in entries() for sentence in english_sentences(entry)}


def readable(message: Notification) -> str:
    """What the patient reads: subject, text, the HTML's visible text, the calendar file."""
    return "\n".join([message.subject, message.body_text, visible_text(message.body_html), message.ics])


def assert_spanish(message: Notification, *, subject: str, says: list[str]) -> None:
    assert message.recipient == EMAIL
    assert message.subject == subject
    html = visible_text(message.body_html)
    for sentence in says:
        assert sentence in message.body_text, f"{sentence!r} not in the text of {message.kind}"
        assert sentence in html, f"{sentence!r} not in the HTML of {message.kind}"
    assert '<html lang="es">' in message.body_html
    assert "Dr. Panagopoulos" in message.body_text  # the sentences are there, not blank
    assert not ENGLISH_DATE_WORDS.findall(readable(message))
    assert sorted(s for s in english_catalog_sentences() if s in readable(message)) == []


# --- Each message to a Spanish patient ------------------------------------------------------


def test_the_confirmation_and_its_calendar_file_are_in_spanish(client):
    appointment, token = book(start=START, **SPANISH)

    confirmation = row(appointment, Kind.CONFIRMATION)
    assert_spanish(
        confirmation,
        subject="Su llamada de presentación con el Dr. Panagopoulos está confirmada",
        says=[
            "Su llamada de presentación gratuita de 10 minutos con el Dr. Panagopoulos está confirmada.",
            f"{PATIENT_WHEN} (su hora)",
            f"{CLINIC_WHEN} (hora del consultorio)",
            "El Dr. Panagopoulos le llamará al número de teléfono que nos dio: (•••) •••-0187.",
            "El día anterior le enviaremos un recordatorio por correo electrónico.",
            "No es para emergencias: si está en crisis, llame o envíe un mensaje de texto al 988",
        ],
    )
    assert f"http://127.0.0.1:8000/es/book/manage/{token}/" in confirmation.body_text
    assert f'href="http://127.0.0.1:8000/es/book/manage/{token}/"' in confirmation.body_html
    assert client.get(f"/es/book/manage/{token}/").status_code == 200  # the link opens the booking
    event = ics_event(confirmation.ics)
    assert str(event["SUMMARY"]) == "Llamada de presentación con el Dr. Panagopoulos"
    assert str(event["LOCATION"]) == "Llamada telefónica"
    assert str(event["DESCRIPTION"]) == (
        "Llamada de presentación gratuita de 10 minutos por teléfono: "
        "el Dr. Panagopoulos le llamará al número que nos dio."
    )


def test_the_reminder_is_in_spanish():
    appointment, token = book(start=START, **SPANISH)

    assert_spanish(
        row(appointment, Kind.REMINDER),
        subject=REMINDER_SUBJECT,
        says=[
            "Le recordamos su llamada de presentación gratuita de 10 minutos con el Dr. Panagopoulos.",
            f"{PATIENT_WHEN} (su hora)",
            "¿Necesita cancelar o elegir otra hora?",
        ],
    )
    assert f"/es/book/manage/{token}/" in row(appointment, Kind.REMINDER).body_text


def test_a_reminder_sent_later_by_the_cron_run_is_in_spanish_whatever_language_runs_it():
    appointment, _ = book(start=in_days(5), **SPANISH)
    mail.outbox.clear()
    Notification.objects.filter(appointment=appointment, kind=Kind.REMINDER).update(
        send_after=timezone.now() - timedelta(minutes=1)
    )

    with translation.override("en"):
        call_command("send_notifications", stdout=StringIO())

    [reminder] = mail.outbox
    assert reminder.to == [EMAIL]
    assert reminder.subject.startswith("Recordatorio: su llamada de presentación con el Dr. Panagopoulos")
    assert "hora del Centro (su hora)" in reminder.body
    assert "hora del Centro" in visible_text(reminder.alternatives[0][0])
    assert not ENGLISH_DATE_WORDS.findall(reminder.body)


def test_the_new_time_is_in_spanish_with_the_calendar_update():
    appointment, token = book(start=START, **SPANISH)

    move(appointment, LATER, manage_token=token)

    moved = row(appointment, Kind.RESCHEDULE)
    assert_spanish(
        moved,
        subject="Su llamada de presentación con el Dr. Panagopoulos tiene una nueva hora",
        says=[
            "Su llamada de presentación gratuita de 10 minutos con el Dr. Panagopoulos tiene una nueva hora.",
            f"{LATER_WHEN} (su hora)",
            f"Ya no: {PATIENT_WHEN}",
            "El archivo de calendario adjunto actualiza la llamada en su calendario.",
        ],
    )
    assert str(ics_event(moved.ics)["SUMMARY"]) == "Llamada de presentación con el Dr. Panagopoulos"


def test_a_move_by_staff_is_told_in_spanish_with_a_new_spanish_link():
    appointment, _ = book(start=START, **SPANISH)

    result = services.appointment_move(
        appointment=appointment, new_start=LATER, actor=Actor(user=None), outside_hours=True
    )

    moved = row(appointment, Kind.RESCHEDULE)
    assert moved.subject == "Su llamada de presentación con el Dr. Panagopoulos tiene una nueva hora"
    assert f"http://127.0.0.1:8000/es/book/manage/{result.manage_token}/" in moved.body_text
    assert f"{LATER_WHEN} (su hora)" in moved.body_text


def test_a_cancellation_by_the_patient_is_in_spanish():
    appointment, _ = book(start=START, **SPANISH)

    services.appointment_cancel(appointment=appointment, by_clinic=False)

    cancellation = row(appointment, Kind.CANCELLATION)
    assert_spanish(
        cancellation,
        subject=CANCELLED_SUBJECT,
        says=[
            "Su llamada de presentación con el Dr. Panagopoulos está cancelada.",
            f"{PATIENT_WHEN} (su hora)",
            "El archivo de calendario adjunto quita la llamada de su calendario.",
        ],
    )
    assert "http://127.0.0.1:8000/es/book/" in cancellation.body_text
    assert "METHOD:CANCEL" in cancellation.ics
    assert str(ics_event(cancellation.ics)["SUMMARY"]) == "Llamada de presentación con el Dr. Panagopoulos"


def test_a_cancellation_by_the_clinic_through_the_staff_service_is_in_spanish():
    appointment, _ = book(start=START, **SPANISH)

    services.appointment_cancel(
        appointment=appointment,
        by_clinic=True,
        message="El doctor está enfermo ese día.",
        actor=Actor(user=None),
    )

    assert_spanish(
        row(appointment, Kind.CANCELLATION),
        subject=CANCELLED_SUBJECT,
        says=[
            "El consultorio canceló su llamada de presentación con el Dr. Panagopoulos.",
            "Lamentamos el cambio.",
            "Un mensaje del consultorio:",
            "El doctor está enfermo ese día.",
            "Si lo desea, puede reservar otra hora",
        ],
    )


def test_after_a_contact_change_the_rewritten_reminder_is_in_spanish():
    appointment, token = book(start=START, **SPANISH)

    services.appointment_change_contact(
        appointment=appointment,
        phone=PHONE,
        contact_method="video",
        manage_token=token,
        actor=Actor(user=None),
    )

    assert_spanish(
        row(appointment, Kind.REMINDER),
        subject=REMINDER_SUBJECT,
        says=[
            "Cómo: por video. El Dr. Panagopoulos le enviará por correo electrónico un enlace para unirse "
            "antes de la llamada.",
        ],
    )
    staff = row(appointment, Kind.STAFF_CONTACT_CHANGE)
    assert staff.subject == "Meet-and-greet contact details changed: Monday, December 2, 9:10 AM Eastern Time"


def test_the_manage_link_sent_again_is_in_spanish_and_the_waiting_reminder_gets_the_new_spanish_link():
    open_every_day()
    appointment, old_token = book(start=in_days(5), **SPANISH)

    with pytest.raises(services.DuplicateBooking):
        services.appointment_book(
            start=free_slots(days=10)[0].start,
            state="TX",
            time_zone="America/Chicago",
            full_name="Otro Nombre",
            email=EMAIL,
            phone=PHONE,
            contact_method="phone",
            language="en",  # this try's language: the message follows the booking it is about
        )

    link = row(appointment, Kind.MANAGE_LINK)
    assert link.subject == "Su enlace para administrar su llamada de presentación con el Dr. Panagopoulos"
    assert "Alguien, probablemente usted, intentó reservar una llamada de presentación" in link.body_text
    assert '<html lang="es">' in link.body_html
    [new_link] = re.findall(r"http://127\.0\.0\.1:8000/es/book/manage/[\w-]+/", link.body_text)
    reminder = row(appointment, Kind.REMINDER)
    assert reminder.status == Status.PENDING
    assert new_link in reminder.body_text and new_link in reminder.body_html
    assert old_token not in reminder.body_text


# --- Staff in English, every language kept apart ----------------------------------------------


def _staff_messages(appointment) -> list[tuple[str, str, str]]:
    def without_id(text):
        return re.sub(r"appointment/\d+/", "appointment/N/", text)

    rows = appointment.notifications.exclude(kind__in=PATIENT_KINDS).order_by("pk")
    return [(r.subject, without_id(r.body_text), without_id(r.body_html)) for r in rows]


def test_staff_alerts_about_a_spanish_patient_are_the_english_ones():
    """The same changes to an English and a Spanish patient's call (one after the other, at the
    same times) give staff the same English alerts."""
    alerts = {}
    for language, email in [("en", "english@example.org"), ("es", EMAIL)]:
        appointment, token = book(
            start=START, email=email, state="TX", time_zone="America/Chicago", language=language
        )
        move(appointment, LATER, manage_token=token)
        cancel(appointment, by_clinic=True)
        alerts[language] = _staff_messages(appointment)

    assert [subject for subject, _, _ in alerts["es"]] == [
        "New meet-and-greet booked for Monday, December 2, 9:10 AM Eastern Time",
        "Meet-and-greet moved to Tuesday, December 3, 10:00 AM Eastern Time",
        "Meet-and-greet cancelled: Tuesday, December 3, 10:00 AM Eastern Time",
    ]
    assert alerts["es"] == alerts["en"]
    assert all('<html lang="en">' in html for _, _, html in alerts["es"])


def test_each_message_follows_its_appointment_not_the_language_active_when_it_is_composed():
    english, _ = book(start=START, email="english@example.org")
    spanish, _ = book(start=LATER, **SPANISH)

    with translation.override("es"):  # an English patient cancels through a Spanish page
        services.appointment_cancel(appointment=english, by_clinic=False)
    with translation.override("en"):  # staff, in English, cancel for a Spanish patient
        services.appointment_cancel(appointment=spanish, by_clinic=True, actor=Actor(user=None))

    to_english = row(english, Kind.CANCELLATION)
    assert to_english.subject == "Your meet-and-greet with Dr. Panagopoulos is cancelled"
    assert "Monday, December 2, 2030, 6:10 AM Pacific Time (your time)" in to_english.body_text
    assert "You are welcome to book another time: http://127.0.0.1:8000/book/\n" in to_english.body_text
    assert '<html lang="en">' in to_english.body_html
    assert "SUMMARY:Meet-and-greet with Dr. Panagopoulos" in to_english.ics
    assert row(spanish, Kind.CANCELLATION).subject == CANCELLED_SUBJECT
    to_staff = row(spanish, Kind.STAFF_CANCELLATION)
    assert to_staff.subject == "Meet-and-greet cancelled: Tuesday, December 3, 10:00 AM Eastern Time"


@pytest.mark.parametrize("contact", ["phone", "video", "video room"])
def test_no_spanish_message_holds_an_english_sentence_from_the_catalog(contact):
    """Every kind of message to a Spanish patient, with every optional part shown (the office's
    contact details, a video room, a clinic's message), checked against every English sentence
    the catalog knows: a sentence left untranslated shows up here."""
    PracticeProfile(
        phone="(212) 555-0142",
        email="office@clinic.example",
        office_hours="Lunes a viernes",
        video_room_url="https://video.clinic.example/sala" if contact == "video room" else "",
    ).save()
    method = "phone" if contact == "phone" else "video"
    appointment, token = book(start=START, contact_method=method, **SPANISH)
    with as_a_request():
        new_token = appointment.issue_manage_token()
        appointment.save()
        messages.notify_manage_link(appointment, manage_token=new_token)
    services.appointment_change_contact(
        appointment=appointment,
        phone=PHONE,
        contact_method="phone" if method == "video" else "video",
        manage_token=new_token,
        actor=Actor(user=None),
    )
    appointment.refresh_from_db()
    move(appointment, LATER, manage_token=None)
    cancel(appointment, by_clinic=True, message="El doctor está enfermo.")
    second, _ = book(start=START, email="segundo@example.org", contact_method=method, **SPANISH)
    cancel(second)

    to_patient = list(Notification.objects.filter(kind__in=PATIENT_KINDS))
    assert {r.kind for r in to_patient} == PATIENT_KINDS
    english = english_catalog_sentences()
    for message in to_patient:
        text = readable(message)
        assert sorted(s for s in english if s in text) == [], message.kind
        assert not ENGLISH_DATE_WORDS.findall(text), message.kind
        if contact == "video room" and message.kind == Kind.CONFIRMATION:
            assert str(ics_event(message.ics)["DESCRIPTION"]) == (
                "Llamada de presentación gratuita de 10 minutos por video con el Dr. Panagopoulos. "
                "A la hora de la llamada, entre a la sala de video: https://video.clinic.example/sala"
            )


# --- Where the language comes from ------------------------------------------------------------


def test_a_booking_made_on_a_spanish_page_stores_spanish_and_queues_spanish_mail(
    client, django_capture_on_commit_callbacks
):
    open_every_day()
    slot = next(s for s in free_slots(days=10) if s.start - timezone.now() >= timedelta(hours=48))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/es/book/details/", booking_data(slot.start, state="TX", tz="America/Chicago")
        )

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.language == "es"
    [confirmation] = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert confirmation.subject == "Su llamada de presentación con el Dr. Panagopoulos está confirmada"
    assert "hora del Centro (su hora)" in confirmation.body
    assert "/es/book/manage/" in confirmation.body
    [staff] = [m for m in mail.outbox if m.to == ["staff@localhost"]]
    assert staff.subject.startswith("New meet-and-greet booked for ")
    assert row(appointment, Kind.REMINDER).subject.startswith("Recordatorio: ")


def test_a_booking_made_on_an_english_page_stores_english(client, django_capture_on_commit_callbacks):
    open_every_day()
    slot = next(s for s in free_slots(days=10) if s.start - timezone.now() >= timedelta(hours=48))

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/book/details/", booking_data(slot.start), HTTP_ACCEPT_LANGUAGE="es")

    assert Appointment.objects.get().language == "en"
    [confirmation] = [m for m in mail.outbox if m.to == ["ana@example.com"]]
    assert confirmation.subject == "Your meet-and-greet with Dr. Panagopoulos is confirmed"


def test_the_patient_language_is_one_the_site_speaks():
    """Given, else the active one ("es-us" is Spanish); a language the site does not speak is English."""
    # (given, active, stored)
    cases = [
        (None, "es", "es"),
        (None, "en", "en"),
        ("es", "en", "es"),
        ("es-us", "en", "es"),
        ("fr", "es", "en"),
    ]
    stored = []
    for given, active, _ in cases:
        with translation.override(active):
            stored.append(messages.patient_language(given))

    assert stored == [expected for _, _, expected in cases]


def test_the_reminder_promise_is_said_in_the_active_language():
    """The confirmation page shows it too (through messages.queued_reminder_promise)."""
    start = utc(2030, 12, 2, 14, 10)

    with translation.override("es"):
        day_before = messages.reminder_promise(start, start - timedelta(hours=24))
        late = messages.reminder_promise(start, start - timedelta(hours=3))
    with translation.override("en"):
        english = messages.reminder_promise(start, start - timedelta(hours=24))

    assert day_before == "El día anterior le enviaremos un recordatorio por correo electrónico."
    assert late == "Unas 3 horas antes de la llamada le enviaremos un recordatorio por correo electrónico."
    assert english == messages.MSG_REMINDER_DAY_BEFORE == "The day before, we'll email you a reminder."
