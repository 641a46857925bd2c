"""English at today's addresses, Spanish under /es/: the switch, the first visit, what stays English."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from clinic import practice
from tests.clinic.catalog import english_sentences, entries
from tests.html import visible_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_cache")]

# Every public page outside the booking flow, in English and at its Spanish address.
PAGES = ["/", "/about/", "/contact/", "/privacy/", "/articles/"]
SPANISH_CRISIS_NOTICE = "No es para emergencias: llame o envíe un mensaje de texto al 988, o llame al 911."


def _switch(html: str) -> str:
    return html[
        html.index('class="language-switch') : html.index("</ul>", html.index('class="language-switch'))
    ]


def _seeded():
    from education import seed

    seed.run()
    cache.clear()


@pytest.mark.parametrize("path", PAGES)
def test_english_pages_stay_at_their_addresses_in_english(client, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Not for emergencies: call or text 988, or call 911." in visible_text(html)


@pytest.mark.parametrize("path", PAGES)
def test_spanish_pages_live_under_es_in_spanish(client, path):
    response = client.get(f"/es{path}")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    text = visible_text(html)
    assert SPANISH_CRISIS_NOTICE in text
    with translation.override("en"):
        assert str(practice.DISCLAIMER) not in text
    assert "El contenido de este sitio es solo para educación e información." in text


@pytest.mark.parametrize("path", [*PAGES, "/no-such-page/"])
def test_every_page_has_the_switch_to_the_same_page_in_the_other_language(client, path):
    english = _switch(client.get(path).content.decode())
    spanish = _switch(client.get(f"/es{path}").content.decode())

    # Each language named in its own words, marked with its language.
    assert '<span lang="en" class="fw-semibold" aria-current="true">English</span>' in english
    assert 'name="next" value="/es' + path + '"' in english
    assert 'value="es" lang="es">Español</button>' in english
    assert '<span lang="es" class="fw-semibold" aria-current="true">Español</span>' in spanish
    assert f'name="next" value="{path}"' in spanish
    assert 'value="en" lang="en">English</button>' in spanish


def test_the_switch_keeps_the_search_and_remembers_the_choice(client):
    html = client.get("/articles/", {"q": "naltrexone"}).content.decode()
    assert 'name="next" value="/es/articles/?q=naltrexone"' in _switch(html)

    response = client.post("/language/", {"language": "es", "next": "/es/articles/?q=naltrexone"})

    assert response.status_code == 302
    assert response["Location"] == "/es/articles/?q=naltrexone"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_the_switch_works_without_a_csrf_token_since_pages_are_cached_whole(client):
    client = client.__class__(enforce_csrf_checks=True)

    response = client.post("/language/", {"language": "en", "next": "/about/"})

    assert response.status_code == 302 and response["Location"] == "/about/"


def test_the_switch_never_sends_anyone_to_another_site(client):
    response = client.post("/language/", {"language": "es", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_a_first_visit_with_a_spanish_browser_is_offered_the_spanish_home_page(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9,en;q=0.5")

    assert response.status_code == 302
    assert response["Location"] == "/es/"
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


def test_choosing_english_with_the_switch_is_never_overruled_by_the_browser(client):
    client.post("/language/", {"language": "en", "next": "/"})

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="es-US,es;q=0.9")

    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_a_reader_who_chose_spanish_comes_back_to_the_spanish_home_page(client):
    client.post("/language/", {"language": "es", "next": "/es/"})

    response = client.get("/")

    assert response.status_code == 302 and response["Location"] == "/es/"


def test_an_english_browser_gets_the_english_home_page_and_so_do_crawlers(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").status_code == 200
    assert client.get("/").status_code == 200


def test_the_spanish_page_never_sends_its_reader_back_to_english(client):
    response = client.get("/es/", HTTP_ACCEPT_LANGUAGE="en-US", HTTP_COOKIE="django_language=en")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/robots.txt", "/sitemap.xml", "/admin/login/"])
def test_machines_pages_and_staff_admin_have_one_english_address(client, path):
    assert client.get(path).status_code == 200
    assert client.get(f"/es{path}").status_code == 404


@pytest.mark.parametrize(
    ("path", "title", "description"),
    [
        ("/es/", "Dr. Panagopoulos Addiction Psychiatry", "psiquiatra especialista en adicciones"),
        ("/es/about/", "Acerca del Dr. Panagopoulos", "psiquiatra especialista en adicciones"),
        ("/es/contact/", "Contacto", "Cómo comunicarse con el consultorio del Dr. Panagopoulos"),
        ("/es/privacy/", "Privacidad", "psiquiatra especialista en adicciones"),
        ("/es/articles/", "Artículos para pacientes", "Artículos en lenguaje sencillo"),
    ],
)
def test_spanish_pages_have_spanish_titles_and_descriptions(client, path, title, description):
    html = client.get(path).content.decode()

    assert f"<title>{title}" in html
    meta = html[html.index('<meta name="description"') :]
    assert description in meta[: meta.index(">")]


def test_the_crisis_section_of_the_spanish_contact_page_says_how_to_get_help_in_spanish(client):
    text = visible_text(client.get("/es/contact/").content.decode())

    assert "Llame o envíe un mensaje de texto al 988" in text
    assert "marque 2 para español" in text


def test_the_spanish_404_page_is_in_spanish(client):
    response = client.get("/es/no-such-page/")

    assert response.status_code == 404
    assert "No encontramos esa página" in visible_text(response.content.decode())


def test_the_500_page_follows_the_language_of_the_address(rf):
    from clinic.views import server_error

    with translation.override("es"):
        response = server_error(rf.get("/es/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="es">' in html
    assert "Algo salió mal de nuestro lado" in visible_text(html)


# --- The catalog --------------------------------------------------------------------------


def test_every_message_in_the_catalog_has_a_spanish_translation_that_is_not_fuzzy():
    problems = [
        entry.msgid
        for entry in entries()
        if "fuzzy" in entry.flags or not entry.msgstr or not all(text.strip() for text in entry.msgstr)
    ]

    assert problems == []


@pytest.mark.parametrize(
    "path",
    [
        "/es/",
        "/es/about/",
        "/es/contact/",
        "/es/privacy/",
        "/es/articles/",
        "/es/articles/?q=naltrexona",
        "/es/articles/?q=nada+de+nada",
        "/es/articles/topic/trastorno-por-consumo-de-opioides/",
        "/es/articles/la-naltrexona-para-la-adiccion-a-los-opioides/",
        "/es/no-such-page/",
    ],
)
def test_a_spanish_page_contains_no_english_sentence_from_the_catalog(client, path):
    from clinic.models import PracticeProfile

    _seeded()
    # Every optional part of the pages shown: the contact details in the footer and on the contact page.
    PracticeProfile(
        phone="(212) 555-0142", email="office@clinic.example", office_hours="Lunes a viernes"
    ).save()
    cache.clear()
    text = visible_text(client.get(path).content.decode())

    english = {sentence for entry in entries() for sentence in english_sentences(entry)}
    assert english, "the catalog has English sentences to look for"
    assert sorted(sentence for sentence in english if sentence in text) == []


def test_robots_txt_keeps_crawlers_out_of_the_spanish_manage_links_too(client):
    body = client.get("/robots.txt").content.decode()

    assert "Disallow: /book/manage/" in body
    assert "Disallow: /es/book/manage/" in body


def test_the_times_page_cached_for_everyone_is_kept_apart_by_language(client):
    query = {"state": "NY", "tz": "America/New_York"}

    english = client.get("/book/times/", query)
    spanish = client.get("/es/book/times/", query)

    assert english.status_code == 200 and spanish.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="es">' in spanish.content.decode()
    assert SPANISH_CRISIS_NOTICE in visible_text(spanish.content.decode())
