"""The booking and manage pages in Spanish under /es/book/..., in every state a patient can meet
(refusals, errors, a closed link), with the English pages at their addresses unchanged."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from scheduling.models import Appointment, clinic_zone
from scheduling.public import manage as manage_pages
from scheduling.public import views
from tests.clinic.catalog import english_sentences, entries
from tests.html import visible_text
from tests.scheduling.factories import booking_data, free_slots, open_every_day
from tests.scheduling.notify_factories import book, cancel

pytestmark = pytest.mark.django_db

SPANISH_CRISIS_NOTICE = "No es para emergencias: llame o envíe un mensaje de texto al 988, o llame al 911."
SPANISH_DESCRIPTION = "psiquiatra especialista en adicciones"
ROOM = "https://telehealth.example/dr-p"


@pytest.fixture(autouse=True)
def _hours():
    open_every_day()


def _text(response) -> str:
    return visible_text(response.content.decode())


def _title(html: str) -> str:
    return html[html.index("<title>") + len("<title>") : html.index("</title>")]


def _description(html: str) -> str:
    meta = html[html.index('<meta name="description"') :]
    return meta[: meta.index(">")]


def _english_sentences_in(text: str) -> list[str]:
    english = {sentence for entry in entries() for sentence in english_sentences(entry)}
    assert english, "the catalog has English sentences to look for"
    return sorted(sentence for sentence in english if sentence in text)


def _slot_days_ahead(days: float, tz: str = "America/New_York"):
    return next(s for s in free_slots(tz=tz, days=10) if s.start > timezone.now() + timedelta(days=days))


def _booked(**fields):
    start = fields.pop("start", None) or _slot_days_ahead(4, "America/Chicago").start
    fields = {"state": "TX", "time_zone": "America/Chicago", **fields}
    return book(start=start, **fields)


def _video_room():
    from clinic import practice
    from clinic.models import PracticeProfile

    PracticeProfile.objects.update_or_create(pk=1, defaults={"video_room_url": ROOM})
    practice.forget_profile()


# Each page a patient can see while booking or managing, built at `prefix` ("" or "/es"): the
# response, after whatever set-up the state needs. With the heading expected in each language.


def state_step(client, prefix):
    return client.get(f"{prefix}/book/")


def state_step_with_no_choice(client, prefix):
    return client.get(f"{prefix}/book/", {"tz": "America/Chicago"})


def another_state(client, prefix):
    return client.get(f"{prefix}/book/", {"state": "FL"}, follow=True)


def times(client, prefix):
    return client.get(f"{prefix}/book/times/", {"state": "TX", "tz": "America/Chicago"})


def times_no_longer_available(client, prefix):
    query = {"state": "CA", "tz": "America/Los_Angeles", "unavailable": "1"}
    return client.get(f"{prefix}/book/times/", query)


def times_with_no_free_times(client, prefix):
    far = (timezone.now() + timedelta(days=400)).date().isoformat()
    return client.get(f"{prefix}/book/times/", {"state": "NY", "tz": "America/New_York", "start": far})


def details(client, prefix):
    start = free_slots("America/Chicago")[0].start
    query = {"state": "TX", "tz": "America/Chicago", "start": start.isoformat()}
    return client.get(f"{prefix}/book/details/", query)


def details_with_errors(client, prefix):
    start = free_slots("America/Chicago")[0].start
    data = booking_data(
        start, state="TX", tz="America/Chicago", phone="212-555-CALL", email="x", full_name="", note="n" * 501
    )
    data.update(confirm_residence="", confirm_not_emergency="", contact_method="")
    return client.post(f"{prefix}/book/details/", data)


def details_sent_too_fast(client, prefix):
    start = free_slots("America/Chicago")[0].start
    data = booking_data(start, state="TX", tz="America/Chicago", form_token="forged")
    return client.post(f"{prefix}/book/details/", data)


def details_time_just_taken(client, prefix):
    slot = free_slots("America/Chicago")[0]
    Client().post("/book/details/", booking_data(slot.start, email="first@example.com"))
    data = booking_data(slot.start, state="TX", tz="America/Chicago")
    return client.post(f"{prefix}/book/details/", data)


def throttled(client, prefix):
    from django.conf import settings as django_settings

    limit = django_settings.BOOKING_POSTS_PER_10_MINUTES
    start = free_slots("America/Chicago")[0].start
    data = booking_data(start, state="TX", tz="America/Chicago", phone="1")
    for _ in range(limit):
        client.post(f"{prefix}/book/details/", data)
    return client.post(f"{prefix}/book/details/", data)


def confirmed(client, prefix):
    start = _slot_days_ahead(2, "America/Chicago").start
    data = booking_data(start, state="TX", tz="America/Chicago", phone="(512) 555-0142")
    return client.post(f"{prefix}/book/details/", data, follow=True)


def confirmed_video(client, prefix):
    _video_room()
    start = _slot_days_ahead(2, "America/Chicago").start
    data = booking_data(start, state="TX", tz="America/Chicago", contact_method="video")
    return client.post(f"{prefix}/book/details/", data, follow=True)


def back_after_booking(client, prefix):
    start = _slot_days_ahead(2, "America/Chicago").start
    client.post(f"{prefix}/book/details/", booking_data(start, state="TX", tz="America/Chicago"))
    query = {"state": "TX", "tz": "America/Chicago", "start": start.isoformat()}
    return client.get(f"{prefix}/book/details/", query)


def duplicate(client, prefix):
    _booked(email="ana@example.com")
    start = _slot_days_ahead(5, "America/Chicago").start
    return client.post(f"{prefix}/book/details/", booking_data(start, state="TX", tz="America/Chicago"))


def honeypot(client, prefix):
    start = free_slots("America/Chicago")[0].start
    data = booking_data(start, state="TX", tz="America/Chicago", website="http://spam.example")
    return client.post(f"{prefix}/book/details/", data)


def manage(client, prefix):
    _, token = _booked()
    return client.get(f"{prefix}/book/manage/{token}/")


def manage_video(client, prefix):
    _video_room()
    _, token = _booked(contact_method="video")
    return client.get(f"{prefix}/book/manage/{token}/")


def manage_moved(client, prefix):
    _, token = _booked()
    return client.get(f"{prefix}/book/manage/{token}/", {"moved": "1"})


def manage_contact_changed(client, prefix):
    _, token = _booked()
    return client.get(f"{prefix}/book/manage/{token}/", {"changed": "1"})


def manage_contact_refused(client, prefix):
    _, token = _booked()
    data = {"phone": "212-555-CALL", "contact_method": "carrier pigeon"}
    return client.post(f"{prefix}/book/manage/{token}/contact/", data)


def manage_time(client, prefix):
    _, token = _booked()
    return client.get(f"{prefix}/book/manage/{token}/time/")


def manage_time_same_time(client, prefix):
    appointment, token = _booked()
    return client.post(f"{prefix}/book/manage/{token}/move/", {"start": appointment.start.isoformat()})


def manage_time_none_chosen(client, prefix):
    _, token = _booked()
    return client.post(f"{prefix}/book/manage/{token}/move/", {"start": ""})


def manage_time_taken(client, prefix):
    appointment, token = _booked()
    other = next(
        s
        for s in free_slots("America/Chicago", days=10)
        if s.start > timezone.now() + timedelta(days=2)
        and abs(s.start - appointment.start) > timedelta(hours=1)
    )
    _booked(start=other.start, email="someone@example.com")
    return client.post(f"{prefix}/book/manage/{token}/move/", {"start": other.start.isoformat()})


def manage_cancel_question(client, prefix):
    _, token = _booked()
    return client.get(f"{prefix}/book/manage/{token}/cancel/confirm/")


def manage_cancelled(client, prefix):
    _, token = _booked()
    client.post(f"{prefix}/book/manage/{token}/cancel/", {"confirm": "yes"})
    return client.get(f"{prefix}/book/manage/{token}/")


def manage_cancelled_by_clinic(client, prefix):
    appointment, token = _booked()
    cancel(appointment, by_clinic=True)
    return client.get(f"{prefix}/book/manage/{token}/")


def manage_expired(client, prefix):
    _, token = _booked(start=timezone.now() - timedelta(minutes=30))
    return client.get(f"{prefix}/book/manage/{token}/")


def manage_join(client, prefix):
    _video_room()
    _, token = _booked(start=timezone.now() - timedelta(minutes=2), contact_method="video")
    return client.get(f"{prefix}/book/manage/{token}/")


def manage_405(client, prefix):
    _, token = _booked()
    return client.get(f"{prefix}/book/manage/{token}/cancel/")


def manage_throttled(client, prefix):
    _, token = _booked()
    for _ in range(manage_pages.LOOKUPS_PER_WINDOW):
        client.get(f"{prefix}/book/manage/guess/")
    return client.get(f"{prefix}/book/manage/{token}/")


def manage_wrong_link(client, prefix):
    return client.get(f"{prefix}/book/manage/not-a-real-token/")


# (page, status, English heading, Spanish heading)
PAGES = [
    (state_step, 200, "Book a free 10-minute meet-and-greet", "Reserve una llamada de presentación gratuita"),
    (state_step_with_no_choice, 200, "Book a free 10-minute meet-and-greet", "Reserve una llamada"),
    (another_state, 200, "We're sorry we can't see you", "Lamentamos no poder atenderle"),
    (times, 200, "Choose a time", "Elegir una hora"),
    (times_no_longer_available, 200, "Choose a time", "Elegir una hora"),
    (times_with_no_free_times, 200, "Choose a time", "Elegir una hora"),
    (details, 200, "Your details", "Sus datos"),
    (details_with_errors, 200, "Your details", "Sus datos"),
    (details_sent_too_fast, 200, "Your details", "Sus datos"),
    (details_time_just_taken, 200, "Your details", "Sus datos"),
    (throttled, 429, "Your details", "Sus datos"),
    (confirmed, 200, "You're booked", "Su reserva está hecha"),
    (confirmed_video, 200, "You're booked", "Su reserva está hecha"),
    (back_after_booking, 200, "You're booked", "Su reserva está hecha"),
    (duplicate, 200, "You already have a meet-and-greet", "Ya tiene una llamada de presentación"),
    (honeypot, 200, "Thank you", "Gracias"),
    (manage, 200, "Your meet-and-greet", "Su llamada de presentación"),
    (manage_video, 200, "Your meet-and-greet", "Su llamada de presentación"),
    (manage_moved, 200, "Your meet-and-greet", "Su llamada de presentación"),
    (manage_contact_changed, 200, "Your meet-and-greet", "Su llamada de presentación"),
    (manage_contact_refused, 200, "Your meet-and-greet", "Su llamada de presentación"),
    (manage_time, 200, "Change the time", "Cambiar la hora"),
    (manage_time_same_time, 200, "Change the time", "Cambiar la hora"),
    (manage_time_none_chosen, 200, "Change the time", "Cambiar la hora"),
    (manage_time_taken, 200, "Change the time", "Cambiar la hora"),
    (manage_cancel_question, 200, "Cancel your meet-and-greet on", "¿Desea cancelar su llamada"),
    (manage_cancelled, 200, "Your meet-and-greet is cancelled", "Su llamada de presentación está cancelada"),
    (manage_cancelled_by_clinic, 200, "Your meet-and-greet is cancelled", "está cancelada"),
    (manage_expired, 410, "This link has expired", "Este enlace ya no es válido"),
    (manage_join, 200, "Your meet-and-greet", "Su llamada de presentación"),
    (manage_405, 405, "Nothing was changed", "No se cambió nada"),
    (manage_throttled, 429, "Please wait a few minutes", "Espere unos minutos, por favor"),
    (manage_wrong_link, 404, "We couldn't find that page", "No encontramos esa página"),
]
PAGE_PARAMS = [pytest.param(page, status, en, es, id=page.__name__) for page, status, en, es in PAGES]


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return visible_text(match.group(1)) if match else ""


@pytest.mark.parametrize(("page", "status", "english", "spanish"), PAGE_PARAMS)
def test_each_booking_and_manage_page_in_english_at_its_address(client, page, status, english, spanish):
    response = page(client, "")

    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="en">' in html
    assert english in _h1(html)
    text = _text(response)
    assert "Not for emergencies: call or text 988, or call 911." in text
    assert "llamada de presentación" not in text.lower() and "Reserve" not in text


@pytest.mark.parametrize(("page", "status", "english", "spanish"), PAGE_PARAMS)
def test_each_booking_and_manage_page_in_spanish_under_es(client, page, status, english, spanish):
    response = page(client, "/es")

    html = response.content.decode()
    assert response.status_code == status
    assert '<html lang="es">' in html
    assert spanish in _h1(html)
    assert SPANISH_CRISIS_NOTICE in _text(response)
    # A Spanish title (the practice's name stays as it is) and the Spanish description.
    title = _title(html).split(" · ")[0]
    assert title and not _english_sentences_in(title) and "meet-and-greet" not in title.lower()
    assert SPANISH_DESCRIPTION in _description(html)


@pytest.mark.parametrize(("page", "status", "english", "spanish"), PAGE_PARAMS)
def test_a_spanish_booking_or_manage_page_contains_no_english_sentence_from_the_catalog(
    client, page, status, english, spanish
):
    text = _text(page(client, "/es"))

    assert _english_sentences_in(text) == []
    # The words the catalog's sentences are made of, in any state of the page.
    assert "meet-and-greet" not in text.lower()


# --- What the Spanish pages say ------------------------------------------------------------


def test_the_spanish_referral_page_gives_the_spanish_ways_to_help(client):
    text = _text(client.get("/es/book/", {"state": "other"}, follow=True))

    assert "Llame al 988 y marque 2 para hablar en español" in text
    assert "envíe la palabra AYUDA por mensaje de texto al 988" in text
    assert "1-800-662-4357, opción 2 para español" in text
    assert "findtreatment.gov" in text


def test_the_english_referral_page_is_unchanged(client):
    text = _text(client.get("/book/", {"state": "other"}, follow=True))

    assert "Call or text 988 (the Suicide & Crisis Lifeline), any time, day or night." in text
    assert "SAMHSA's National Helpline: 1-800-662-4357. Free, confidential, 24 hours a day" in text
    assert "AYUDA" not in text and "opción 2" not in text


def test_the_spanish_state_step_names_the_states_in_spanish(client):
    text = _text(client.get("/es/book/"))

    assert "¿En qué estado vive?" in text
    for name in ("Nueva York", "Texas", "California", "Otro estado"):
        assert name in text


def test_the_spanish_times_page_names_the_zone_and_the_clinic_time_in_spanish(client):
    text = _text(client.get("/es/book/times/", {"state": "TX", "tz": "America/Chicago"}))

    assert "Horas para personas en Texas." in text
    assert "Las horas se muestran en hora del Centro (la mayor parte de Texas)" in text
    assert "En el consultorio (hora del Este) es 1 hora más tarde." in text
    assert re.search(r"\d{1,2}:\d\d [ap]\. m\. hora del Centro", text)
    assert "Mostrar las horas en" in text and "hora de la Montaña (condados de El Paso y Hudspeth)" in text


def test_the_spanish_form_labels_hints_and_errors_are_in_spanish(client):
    html = details_with_errors(client, "/es").content.decode()
    text = visible_text(html)

    assert "Corrija 7 datos para continuar, por favor" in text
    for message in (
        "Nombre completo",
        "Un número de EE. UU., por ejemplo (212) 555-0123.",
        "Escriba su nombre, por favor.",
        "Escriba un correo electrónico como nombre@ejemplo.com, por favor.",
        "no se aceptan letras (como en 212-555-CALL)",
        "Acorte su nota a 500 caracteres, por favor.",
        "Elija una llamada telefónica o una videollamada, por favor.",
        "el doctor solo puede atender a personas en Nueva York, Texas o California.",
        "Vivo en Texas y estaré allí durante la llamada.",
        "Reservar mi llamada de presentación",  # the button
    ):
        assert message in text


def test_the_spanish_throttled_form_says_how_many_minutes_to_wait_in_spanish(client, settings):
    settings.BOOKING_POSTS_PER_10_MINUTES = 1

    response = throttled(client, "/es")

    assert response.status_code == 429
    text = _text(response)
    assert "Espere 10 minutos y vuelva a enviarlo" in text
    assert "Con este envío no se reservó nada." in text


def test_the_throttle_wait_is_one_minute_singular_in_both_languages():
    from django.utils import translation

    assert "Please wait 1 minute, then" in views.MSG_THROTTLED % {"minutes": 1}
    assert "Please wait 2 minutes, then" in views.MSG_THROTTLED % {"minutes": 2}
    with translation.override("es"):
        assert "Espere 1 minuto y" in views.MSG_THROTTLED % {"minutes": 1}
        assert "Espere 2 minutos y" in views.MSG_THROTTLED % {"minutes": 2}


def test_the_spanish_confirmation_gives_the_time_in_spanish_in_central_and_eastern_time(client):
    start = _slot_days_ahead(2, "America/Chicago").start
    data = booking_data(start, state="TX", tz="America/Chicago", phone="(512) 555-0142")

    text = _text(client.post("/es/book/details/", data, follow=True))

    appointment = Appointment.objects.get()
    assert appointment.start == start
    central = start.astimezone(appointment.patient_zone)
    eastern = start.astimezone(clinic_zone())
    meridiem = "a. m." if central.hour < 12 else "p. m."
    central_time = f"{central.hour % 12 or 12}:{central:%M} {meridiem}"
    assert f"{central_time}, hora del Centro (la mayor parte de Texas)" in text
    assert f"de {central.year}, " in text
    assert f"En el consultorio: {eastern.hour % 12 or 12}:{eastern:%M} " in text and "hora del Este." in text
    assert "el doctor le llamará al (•••) •••-0142" in text
    assert "El día anterior le enviaremos un recordatorio por correo electrónico." in text


def test_the_spanish_cancel_question_names_the_day_time_and_zone_in_spanish(client):
    appointment, token = _booked()
    local = appointment.start.astimezone(appointment.patient_zone)

    text = _text(client.get(f"/es/book/manage/{token}/cancel/confirm/"))

    meridiem = "a. m." if local.hour < 12 else "p. m."
    assert (
        f"¿Desea cancelar su llamada de presentación del {_spanish_weekday(local)}, {local.day} de "
        f"{_spanish_month(local)}, {local.hour % 12 or 12}:{local:%M} {meridiem}, hora del Centro?"
    ) in text


def _spanish_weekday(day) -> str:
    return ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"][day.weekday()]


def _spanish_month(day) -> str:
    months = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
    return months.split()[day.month - 1]


# --- The manage link follows the language of its address ------------------------------------


def test_the_manage_page_renders_in_the_language_of_the_link_and_the_switch_still_works(client):
    _, token = _booked()

    spanish = client.get(f"/es/book/manage/{token}/").content.decode()
    english = client.get(f"/book/manage/{token}/").content.decode()

    assert '<html lang="es">' in spanish and '<html lang="en">' in english
    assert "Su llamada de presentación" in _h1(spanish) and "Your meet-and-greet" in _h1(english)
    assert f'name="next" value="/book/manage/{token}/"' in spanish
    assert f'name="next" value="/es/book/manage/{token}/"' in english
    switched = client.post("/language/", {"language": "en", "next": f"/book/manage/{token}/"}, follow=True)
    assert '<html lang="en">' in switched.content.decode()
    assert "Your meet-and-greet" in _text(switched)


def test_a_cancel_from_the_spanish_page_lands_on_the_spanish_page(client):
    appointment, token = _booked()

    response = client.post(f"/es/book/manage/{token}/cancel/", {"confirm": "yes"})

    assert response.status_code == 302 and response["Location"] == f"/es/book/manage/{token}/"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
    landed = client.get(response["Location"]).content.decode()
    assert "Su llamada de presentación está cancelada" in _h1(landed)


def test_a_booking_from_the_spanish_form_goes_to_the_spanish_confirmation(client):
    start = free_slots("America/Chicago")[0].start

    response = client.post("/es/book/details/", booking_data(start, state="TX", tz="America/Chicago"))

    assert response.status_code == 302 and response["Location"].startswith("/es/book/confirmed/")
    signed = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert signing.loads(signed, salt=views.CONFIRMED_SALT)
    assert "Su reserva está hecha" in _h1(client.get(response["Location"]).content.decode())


def test_a_spanish_form_that_cannot_be_read_gets_the_400_page_in_spanish():
    _, token = _booked()
    strict = Client(enforce_csrf_checks=True)
    strict.get("/admin/login/")  # a valid CSRF cookie, as a browser would have
    csrf = strict.cookies["csrftoken"].value

    for path in ["/es/book/details/", f"/es/book/manage/{token}/cancel/"]:
        response = strict.post(
            path,
            f"csrfmiddlewaretoken={csrf}&state=TX",
            content_type="application/x-www-form-urlencoded; charset=latin-1",
            HTTP_X_CSRFTOKEN=csrf,
        )

        assert response.status_code == 400, path
        html = response.content.decode()
        assert '<html lang="es">' in html
        text = visible_text(html)
        assert "No pudimos leer su solicitud" in text
        assert SPANISH_CRISIS_NOTICE in text
        assert _english_sentences_in(text) == []
