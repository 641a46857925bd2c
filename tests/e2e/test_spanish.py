"""The Spanish pages in a real browser: accessible, in Spanish, and the switch works without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, assert_no_console_errors, scroll_overflow

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SPANISH_ARTICLE = "/es/articles/la-naltrexona-para-la-adiccion-a-los-opioides/"


@pytest.fixture
def seeded():
    from django.core.cache import cache

    from clinic.models import PracticeProfile
    from education import seed
    from tests.clinic.catalog import compile_if_stale

    compile_if_stale()
    seed.run()
    PracticeProfile(
        phone="(212) 555-0142", email="office@clinic.example", office_hours="Lunes a viernes"
    ).save()
    cache.clear()


@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/es/", "Tratamiento para la adicción a los opioides"),
        ("/es/about/", "Acerca del Dr. Panagopoulos"),
        ("/es/contact/", "Comuníquese con el consultorio"),
        ("/es/privacy/", "Privacidad"),
        ("/es/articles/", "Artículos para pacientes"),
        ("/es/articles/topic/trastorno-por-consumo-de-opioides/", "Artículos sobre trastorno por consumo"),
        (SPANISH_ARTICLE, "La naltrexona para la adicción a los opioides"),
        ("/es/no-such-page/", "No encontramos esa página"),
    ],
)
def test_spanish_page_has_no_wcag_violations(new_page, seeded, viewport, path, heading):
    page = new_page(viewport=viewport, locale="es-US")
    page.goto(path)

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(page.get_by_text("No es para emergencias:")).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)
    assert scroll_overflow(page) == 0


def test_the_switch_keeps_the_reader_on_the_same_page_without_javascript(new_page, seeded):
    page = new_page(java_script_enabled=False)
    page.goto("/about/")

    page.get_by_role("button", name="Español").click()

    expect(page).to_have_url(re.compile(r"/es/about/$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acerca del Dr. Panagopoulos")

    page.get_by_role("button", name="English").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("About Dr. Panagopoulos")


def test_a_spanish_browser_is_offered_spanish_and_can_always_go_back_to_english(new_page, seeded):
    page = new_page(locale="es-US")
    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto("/")  # remembered: the browser's Spanish no longer decides

    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_switch_on_the_english_article_opens_its_spanish_translation(new_page, seeded):
    page = new_page()
    page.goto("/articles/naltrexone-for-opioid-addiction/")

    page.get_by_role("button", name="Español").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("La naltrexona para la adicción a los opioides")
    expect(page.get_by_role("link", name="Read this article in English")).to_be_visible()


# --- Booking in Spanish ----------------------------------------------------------------------

SPANISH_WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]
SPANISH_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def spanish_clock(instant, zone) -> str:
    """ "8:00 a. m.": the instant on the zone's clock, as the Spanish pages write it."""
    local = instant.astimezone(zone)
    return f"{local.hour % 12 or 12}:{local:%M} {'a. m.' if local.hour < 12 else 'p. m.'}"


def spanish_long_date(instant, zone) -> str:
    """ "martes, 1 de diciembre de 2026"."""
    local = instant.astimezone(zone)
    month = SPANISH_MONTHS[local.month - 1]
    return f"{SPANISH_WEEKDAYS[local.weekday()]}, {local.day} de {month} de {local.year}"


@pytest.fixture
def calendar(settings, seeded):
    from tests.e2e.helpers import open_every_day

    settings.BOOKING_FORM_MIN_SECONDS = 0  # how fast a person types is not under test here
    open_every_day()


def test_a_texas_patient_on_central_time_books_in_spanish_end_to_end(new_page, calendar):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.core import mail

    from scheduling.models import Appointment

    central, eastern = ZoneInfo("America/Chicago"), ZoneInfo("America/New_York")
    page = new_page(viewport=PHONE, locale="es-US", timezone_id="America/Chicago")

    page.goto("/es/book/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reserve una llamada de presentación gratuita de 10 minutos"
    )
    assert_accessible(page)

    page.get_by_label("Texas", exact=True).check()
    page.get_by_role("button", name="Continuar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Elegir una hora")
    # The browser's zone, Central, is preselected among Texas's two.
    expect(page.locator(".zone-name")).to_have_text("hora del Centro (la mayor parte de Texas)")
    expect(
        page.get_by_role("radio", name="hora del Centro (la mayor parte de Texas)", exact=True)
    ).to_be_checked()
    assert_accessible(page)
    assert scroll_overflow(page) == 0

    radio = page.locator("main input[type=radio][name=start]:visible").first
    instant = datetime.fromisoformat(radio.get_attribute("value"))
    expect(radio).to_have_accessible_name(
        f"{spanish_clock(instant, central)} hora del Centro (la mayor parte de Texas), "
        f"{spanish_clock(instant, eastern)}, hora del Este, en el consultorio"
    )
    radio.check()
    page.get_by_role("button", name="Continuar con esta hora").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sus datos")
    assert scroll_overflow(page) == 0  # the longer Spanish button fits a phone too
    expect(page.locator("main")).to_contain_text(
        f"{spanish_long_date(instant, central)}, {spanish_clock(instant, central)}, hora del Centro"
    )
    assert_accessible(page)

    # Sent empty: the errors in Spanish, listed at the top and linked to their fields.
    page.get_by_role("button", name="Reservar mi llamada de presentación").click()
    expect(page.locator("#error-summary-title")).to_have_text("Corrija 6 datos para continuar, por favor")
    expect(page.locator("#error-summary")).to_contain_text("Escriba su nombre, por favor.")
    assert_accessible(page)

    page.get_by_role("textbox", name="Nombre completo").fill("Ana Lucía Pérez")
    page.get_by_role("textbox", name="Correo electrónico").fill("ana@example.com")
    page.get_by_role("textbox", name="Número de teléfono").fill("(512) 555-0142")
    page.get_by_role("radio", name="Llamada telefónica").check()
    page.get_by_role("checkbox", name="Vivo en Texas y estaré allí durante la llamada.").check()
    page.get_by_role("checkbox", name=re.compile(r"^Entiendo que esto no es para emergencias")).check()
    page.get_by_role("button", name="Reservar mi llamada de presentación").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Su reserva está hecha")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    booked = page.locator(".booked-time")
    expect(booked).to_have_text(
        f"{spanish_long_date(instant, central)}, {spanish_clock(instant, central)}, "
        "hora del Centro (la mayor parte de Texas)"
    )
    expect(booked).to_contain_text(re.compile(r"[ap]\. m\., hora del Centro"))
    expect(page.locator(".clinic-booked-time")).to_have_text(
        f"En el consultorio: {spanish_clock(instant, eastern)}, hora del Este."
    )
    expect(page.locator("main")).to_contain_text("el doctor le llamará al (•••) •••-0142")
    assert_accessible(page)
    assert_no_console_errors(page)

    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.state, appointment.time_zone) == (instant, "TX", "America/Chicago")
    assert appointment.language == "es"

    # The confirmation email and its calendar file are in Spanish, and its link opens the manage page
    # in Spanish.
    when = f"{spanish_long_date(instant, central)}, {spanish_clock(instant, central)}, hora del Centro"
    (confirmation,) = [message for message in mail.outbox if message.to == ["ana@example.com"]]
    assert confirmation.subject == "Su llamada de presentación con el Dr. Panagopoulos está confirmada"
    assert when in confirmation.body
    (ics,) = confirmation.attachments
    assert "SUMMARY:Llamada de presentación con el Dr. Panagopoulos" in ics.get_payload(decode=True).decode()
    (staff_alert,) = [message for message in mail.outbox if message.to != ["ana@example.com"]]
    assert staff_alert.subject.startswith("New meet-and-greet booked for ")  # staff read English
    manage_path = re.search(r"/es/book/manage/[\w-]+/", confirmation.body).group(0)
    page.goto(manage_path)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Su llamada de presentación")
    expect(page.locator("main")).to_contain_text(when)
    assert_accessible(page)


def test_the_spanish_referral_and_manage_pages_have_no_wcag_violations(new_page, calendar):
    from django.urls import reverse
    from django.utils import timezone

    from scheduling import selectors, services

    today = timezone.now().date()
    first = selectors.patient_slots(tz="America/Chicago", start=today, days=7)[0]
    booking = services.appointment_book(
        start=first.start,
        state="TX",
        time_zone="America/Chicago",
        full_name="Ana Lucía Pérez",
        email="ana@example.com",
        phone="+15125550142",
        contact_method="phone",
    )
    token = booking.manage_token
    page = new_page(viewport=PHONE, locale="es-US", timezone_id="America/Chicago")

    page.goto("/es/book/?state=other")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lamentamos no poder atenderle, y hay ayuda disponible"
    )
    expect(page.locator("main")).to_contain_text("Llame al 988 y marque 2 para hablar en español")
    assert_accessible(page)

    for step, heading in [
        ("manage", "Su llamada de presentación"),
        ("manage-time", "Cambiar la hora"),
        ("manage-cancel-confirm", "¿Desea cancelar su llamada de presentación del"),
    ]:
        page.goto(f"/es{reverse(f'scheduling:{step}', args=[token])}")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)

    page.get_by_role("button", name="Sí, cancelar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Su llamada de presentación está cancelada")
    assert_accessible(page)

    page.goto(f"/es{reverse('scheduling:manage-cancel', args=[token])}")
    expect(page.get_by_role("heading", level=1)).to_have_text("No se cambió nada")
    assert_accessible(page)
    assert_no_console_errors(page)
