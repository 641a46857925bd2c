"""Articles in two languages: a Spanish article is its own article, linked to the English one."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from education import seed
from education.models import Article
from tests.education.factories import make_article, make_staff, make_topic
from tests.html import visible_text
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
ENGLISH_URL = "/articles/naltrexone-for-opioid-addiction/"
SPANISH_URL = "/es/articles/la-naltrexona-para-la-adiccion-a-los-opioides/"


def _pair(**spanish_fields):
    english = make_article(
        title="Naltrexone basics", slug="naltrexone-basics", body_markdown="## What\n\nOpioids."
    )
    spanish = make_article(
        title="Lo básico de la naltrexona",
        slug="lo-basico-de-la-naltrexona",
        summary="Un resumen sencillo.",
        body_markdown="## Qué es\n\nLos opioides y la naltrexona.",
        language="es",
        translation_of=english,
        **spanish_fields,
    )
    return english, spanish


def _alternates(html: str) -> dict[str, str]:
    found = {}
    for chunk in html.split('<link rel="alternate" hreflang="')[1:]:
        code, rest = chunk.split('"', 1)
        found[code] = rest.split('href="', 1)[1].split('"', 1)[0]
    return found


def test_each_article_lives_at_the_address_of_its_language():
    english, spanish = _pair()

    assert english.get_absolute_url() == "/articles/naltrexone-basics/"
    assert spanish.get_absolute_url() == "/es/articles/lo-basico-de-la-naltrexona/"
    assert english.other_language_version == spanish
    assert spanish.other_language_version == english


def test_article_pages_declare_each_other_with_hreflang_and_x_default(client):
    _pair()

    english = _alternates(client.get("/articles/naltrexone-basics/").content.decode())
    spanish = _alternates(client.get("/es/articles/lo-basico-de-la-naltrexona/").content.decode())

    expected = {
        "en": "http://testserver/articles/naltrexone-basics/",
        "es": "http://testserver/es/articles/lo-basico-de-la-naltrexona/",
        "x-default": "http://testserver/articles/naltrexone-basics/",
    }
    assert english == expected
    assert spanish == expected


def test_an_article_without_a_translation_declares_no_alternates(client):
    make_article(slug="only-english")

    assert _alternates(client.get("/articles/only-english/").content.decode()) == {}


def test_each_article_page_links_to_its_other_language_and_the_switch_leads_there(client):
    _pair()

    english = client.get("/articles/naltrexone-basics/").content.decode()
    spanish = client.get("/es/articles/lo-basico-de-la-naltrexona/").content.decode()

    assert (
        '<a href="/es/articles/lo-basico-de-la-naltrexona/" hreflang="es">Lea este artículo en español</a>'
        in english
    )
    assert 'name="next" value="/es/articles/lo-basico-de-la-naltrexona/"' in english
    assert '<a href="/articles/naltrexone-basics/" hreflang="en">Read this article in English</a>' in spanish
    assert 'name="next" value="/articles/naltrexone-basics/"' in spanish


def test_the_switch_on_an_untranslated_article_leads_to_the_spanish_articles(client):
    make_article(slug="only-english")

    html = client.get("/articles/only-english/").content.decode()

    assert 'name="next" value="/es/articles/"' in html
    assert "Lea este artículo en español" not in html


def test_a_draft_translation_is_neither_linked_nor_declared(client):
    english, spanish = _pair()
    spanish.status = Article.Status.DRAFT
    spanish.save()

    html = client.get("/articles/naltrexone-basics/").content.decode()

    assert "lo-basico-de-la-naltrexona" not in html


def test_an_article_at_the_other_languages_address_goes_to_its_translation_or_home(client):
    _pair()
    make_article(slug="only-english")

    assert (
        client.get("/es/articles/naltrexone-basics/")["Location"]
        == "/es/articles/lo-basico-de-la-naltrexona/"
    )
    assert client.get("/articles/lo-basico-de-la-naltrexona/")["Location"] == "/articles/naltrexone-basics/"
    assert client.get("/es/articles/only-english/")["Location"] == "/articles/only-english/"


def test_the_spanish_list_topics_and_search_show_spanish_articles_only(client):
    topic = make_topic(name="Trastorno por consumo de opioides", slug="trastorno")
    english, spanish = _pair()
    spanish.topics.set([topic])
    english.topics.set([topic])

    spanish_list = visible_text(client.get("/es/articles/").content.decode())
    english_list = visible_text(client.get("/articles/").content.decode())
    spanish_topic = visible_text(client.get("/es/articles/topic/trastorno/").content.decode())
    spanish_search = visible_text(client.get("/es/articles/", {"q": "naltrexona"}).content.decode())

    assert "Lo básico de la naltrexona" in spanish_list and "Naltrexone basics" not in spanish_list
    assert "Naltrexone basics" in english_list and "Lo básico de la naltrexona" not in english_list
    assert "Lo básico de la naltrexona" in spanish_topic and "Naltrexone basics" not in spanish_topic
    assert "1 artículo encontrado para «naltrexona»." in spanish_search
    assert "Naltrexone basics" not in spanish_search


@pytest.mark.postgres
def test_spanish_search_uses_postgresqls_spanish_configuration(client, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search")
    make_article(
        title="Los medicamentos y las recaídas",
        slug="medicamentos",
        language="es",
        body_markdown="## Medicamentos\n\nUn medicamento ayuda.",
    )

    # Spanish stemming: "medicamento" finds "medicamentos"; Spanish stop words ("los") match nothing.
    text = visible_text(client.get("/es/articles/", {"q": "medicamento"}).content.decode())
    assert "Los medicamentos y las recaídas" in text
    assert "Ningún artículo" in visible_text(client.get("/es/articles/", {"q": "los"}).content.decode())


def test_the_spanish_feed_lists_spanish_articles_only(client):
    _pair()

    spanish = client.get("/es/articles/feed/").content.decode()
    english = client.get("/articles/feed/").content.decode()

    assert "Lo básico de la naltrexona" in spanish and "Naltrexone basics" not in spanish
    assert "<language>es</language>" in spanish
    assert "Naltrexone basics" in english and "Lo básico de la naltrexona" not in english


def test_the_sitemap_lists_both_languages_of_an_article_with_their_alternates(client):
    _pair()
    make_article(slug="only-english")

    root = ET.fromstring(client.get("/sitemap.xml").content)
    alternates = {
        url.find("s:loc", SITEMAP_NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in root.findall("s:url", SITEMAP_NS)
    }

    pair = {
        "en": "http://testserver/articles/naltrexone-basics/",
        "es": "http://testserver/es/articles/lo-basico-de-la-naltrexona/",
        "x-default": "http://testserver/articles/naltrexone-basics/",
    }
    assert alternates["http://testserver/articles/naltrexone-basics/"] == pair
    assert alternates["http://testserver/es/articles/lo-basico-de-la-naltrexona/"] == pair
    assert (
        alternates["http://testserver/articles/only-english/"]["en"]
        == "http://testserver/articles/only-english/"
    )
    assert "http://testserver/es/articles/only-english/" not in alternates
    assert alternates["http://testserver/es/about/"]["en"] == "http://testserver/about/"


def test_cached_pages_are_kept_apart_by_language(client):
    cache.clear()
    _pair()

    client.get("/articles/")  # cached in English
    spanish = client.get("/es/articles/").content.decode()

    assert '<html lang="es">' in spanish and "Artículos para pacientes" in spanish


def test_a_translation_must_point_at_an_english_article():
    english, spanish = _pair()
    other = make_article(slug="otra", language="es")
    other.translation_of = spanish

    with pytest.raises(ValidationError) as refusal:
        other.full_clean()
    assert "Choose the English article this one translates." in str(refusal.value)

    english.translation_of = spanish
    with pytest.raises(ValidationError):
        english.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Article.objects.filter(pk=english.pk).update(translation_of=other)


def test_admin_shows_which_english_articles_lack_a_translation(client):
    staff_login(client, make_staff(superuser=True, username="admin"))
    _pair()
    make_article(title="Only in English", slug="only-english")
    changelist = reverse("admin:education_article_changelist")

    text = visible_text(client.get(changelist).content.decode())
    missing = visible_text(client.get(changelist, {"translation": "missing"}).content.decode())

    assert "⚠ No Spanish version" in text
    assert "Only in English" in missing and "Naltrexone basics" not in missing


def test_seed_publishes_the_spanish_naltrexone_article_as_the_translation_of_the_english_one(client):
    seed.run()

    spanish = Article.objects.get(slug="la-naltrexona-para-la-adiccion-a-los-opioides")
    assert spanish.title == "La naltrexona para la adicción a los opioides"
    assert spanish.language == "es" and spanish.is_public
    assert spanish.translation_of.slug == "naltrexone-for-opioid-addiction"
    assert spanish.reading_ease >= 65
    text = visible_text(client.get(SPANISH_URL).content.decode())
    # The label's overdose warning, in Spanish.
    assert "Una advertencia seria: la sobredosis." in text
    assert "llame al 911 de inmediato" in text
    assert (
        "Escrito y revisado médicamente por Dr. Panagopoulos "
        "(psiquiatra especialista en adicciones con doble certificación) el 25 de noviembre de 2026"
    ) in text
    assert "double-board-certified" not in text
    assert "el 25 de noviembre de 2026" in text
    assert "Trastorno por consumo de opioides" in text


def test_admin_shows_the_spanish_reading_ease_beside_the_english_score(client):
    staff_login(client, make_staff(superuser=True, username="admin"))
    seed.run()
    spanish = Article.objects.get(slug="la-naltrexona-para-la-adiccion-a-los-opioides")

    text = visible_text(
        client.get(reverse("admin:education_article_change", args=[spanish.pk])).content.decode()
    )

    english_grade = spanish.translation_of.reading_grade
    assert (
        f"Fernández Huerta {spanish.reading_ease} (fairly easy) · English version: Grade {english_grade}"
        in text
    )


def test_the_spanish_article_tells_search_engines_it_is_spanish(client):
    import json

    seed.run()

    html = client.get(SPANISH_URL).content.decode()

    assert '<meta property="og:locale" content="es_US">' in html
    graph = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])["@graph"]
    nodes = {node["@type"]: node for node in graph}
    assert nodes["MedicalWebPage"]["inLanguage"] == "es-US"
    assert (
        "telemedicina para personas que viven en Nueva York, Texas o California"
        in (nodes["MedicalClinic"]["description"])
    )
