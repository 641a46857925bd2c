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
