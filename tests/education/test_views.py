import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import practice
from education.forms import QUERY_TOO_LONG
from education.views import ARTICLES_PER_PAGE
from tests.education.factories import make_article, make_contributor, make_staff, make_topic
from tests.html import parse, visible_text
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

LIST_URL = "/articles/"


def text_of(response) -> str:
    return visible_text(response.content.decode())


# --- Visibility ---------------------------------------------------------------------


def test_published_article_is_listed_and_readable_by_anyone(client):
    article = make_article(title="Naltrexone basics", summary="What it is and how it helps.")

    listing = text_of(client.get(LIST_URL))
    page = client.get(article.get_absolute_url())

    assert "Naltrexone basics" in listing and "What it is and how it helps." in listing
    assert page.status_code == 200
    assert "Naltrexone basics" in text_of(page)


@pytest.mark.parametrize(
    "fields",
    [
        {"published": False},
        {"status": "published", "publish_at": timezone.now() + datetime.timedelta(days=1)},
    ],
    ids=["draft", "scheduled"],
)
def test_drafts_and_scheduled_articles_do_not_exist_for_the_public(client, fields):
    article = make_article(title="Not yet public", **fields)

    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Not yet public" not in text_of(client.get(LIST_URL))
    assert "Not yet public" not in client.get("/articles/feed/").content.decode()
    assert article.get_absolute_url() not in client.get("/sitemap.xml").content.decode()


def test_staff_can_preview_a_draft_and_the_preview_is_marked_and_not_indexed(client):
    article = make_article(published=False, title="Work in progress")
    staff_login(client, make_staff(superuser=True))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    text = text_of(response)
    assert "Work in progress" in text
    assert "Preview: this article is not public (draft). Only staff can see this page." in text
    assert '<meta name="robots" content="noindex">' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_staff_preview_of_a_scheduled_article_says_when_it_goes_public(client):
    at = timezone.now() + datetime.timedelta(days=3)
    article = make_article(status="published", publish_at=at)
    staff_login(client, make_staff(superuser=True))

    text = text_of(client.get(article.get_absolute_url()))

    assert "this article is not public until" in text


def test_staff_without_article_permissions_cannot_preview(client):
    article = make_article(published=False)
    staff_login(client, make_staff())

    assert client.get(article.get_absolute_url()).status_code == 404


def test_unknown_article_and_topic_are_the_sites_404(client):
    assert client.get("/articles/no-such-article/").status_code == 404
    assert client.get("/articles/topic/no-such-topic/").status_code == 404


# --- The article page -----------------------------------------------------------------


def test_article_page_shows_byline_review_dates_contents_body_references_and_disclaimer(client):
    reviewer = make_contributor(name="Dr. Panagopoulos", credentials="addiction psychiatrist")
    article = make_article(
        title="Naltrexone for opioid addiction",
        medical_reviewer=reviewer,
        author=make_contributor(name="Clinic writer"),
        last_reviewed=datetime.date(2026, 2, 3),
        body_markdown="## What is it?\n\nA medicine.\n\n## Is it addictive?\n\nNo.",
        references=[("SAMHSA. Medications for Opioid Use Disorder. TIP 63.", "https://store.samhsa.gov/")],
    )

    response = client.get(article.get_absolute_url())
    html = response.content.decode()
    text = visible_text(html)

    assert (
        "Written by Clinic writer · Medically reviewed by Dr. Panagopoulos (addiction psychiatrist) "
        "on February 3, 2026 · Next review February 2027"
    ) in text
    page = parse(html)
    assert "#what-is-it" in page.links and "#is-it-addictive" in page.links
    assert 'id="what-is-it"' in html and 'id="is-it-addictive"' in html
    assert "References" in text and "SAMHSA. Medications for Opioid Use Disorder. TIP 63." in text
    assert "https://store.samhsa.gov/" in page.links
    assert str(practice.DISCLAIMER) in text
    assert "Not for emergencies" in text


def test_booking_call_to_action_appears_only_when_the_article_asks_for_it(client):
    with_cta = make_article(show_booking_cta=True)
    without = make_article(show_booking_cta=False, body_markdown="Plain text.")

    assert reverse("scheduling:book") in parse(client.get(with_cta.get_absolute_url()).content.decode()).links
    assert reverse("scheduling:book") not in _main_links(client.get(without.get_absolute_url()))


def _main_links(response):
    html = response.content.decode()
    main = html[html.index('<main id="main"') : html.index("</main>")]
    return parse(main).links


def test_related_articles_are_the_chosen_ones_else_the_same_topic(client):
    topic = make_topic(name="Opioid use disorder")
    article = make_article(topics=[topic])
    same_topic = make_article(title="Same topic article", topics=[topic])
    chosen = make_article(title="Hand-picked article")
    draft = make_article(title="Draft related", published=False, topics=[topic])

    text = text_of(client.get(article.get_absolute_url()))
    assert "Same topic article" in text
    assert "Draft related" not in text

    article.related_articles.add(chosen, draft)
    text = text_of(client.get(article.get_absolute_url()))
    assert "Hand-picked article" in text
    assert "Same topic article" not in text
    assert "Draft related" not in text
    assert same_topic.pk


def test_head_has_title_description_canonical_and_open_graph(client):
    article = make_article(title="Naltrexone & you", summary='Plain "facts" about it.')

    html = client.get(article.get_absolute_url()).content.decode()

    assert "<title>Naltrexone &amp; you · " in html
    assert '<meta name="description" content="Plain &quot;facts&quot; about it.">' in html
    url = f"http://testserver{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="article:published_time" content="' in html
    assert '<meta property="article:modified_time" content="' in html


def json_ld(response) -> dict:
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_json_ld_describes_the_page_the_article_and_the_clinic(client):
    topic = make_topic(name="Opioid use disorder")
    article = make_article(
        medical_reviewer=make_contributor(name="Dr. Panagopoulos"),
        author=make_contributor(name="Clinic writer"),
        last_reviewed=datetime.date(2026, 4, 5),
        topics=[topic],
    )

    data = json_ld(client.get(article.get_absolute_url()))

    nodes = {node["@type"]: node for node in data["@graph"]}
    assert data["@context"] == "https://schema.org"
    page = nodes["MedicalWebPage"]
    assert page["lastReviewed"] == "2026-04-05"
    assert page["reviewedBy"]["name"] == "Dr. Panagopoulos"
    assert page["about"] == [{"@type": "Thing", "name": "Opioid use disorder"}]
    assert page["medicalAudience"]["audienceType"] == "Patient"
    assert page["specialty"] == "https://schema.org/Psychiatric"
    art = nodes["Article"]
    assert art["headline"] == article.title
    assert art["author"]["name"] == "Clinic writer"
    assert art["datePublished"].startswith(article.first_published_at.date().isoformat())
    assert "dateModified" in art
    assert art["publisher"] == {"@id": nodes["MedicalClinic"]["@id"]}
    assert nodes["MedicalClinic"]["name"] == practice.PRACTICE_NAME


def test_json_ld_cannot_break_out_of_its_script_block(client):
    article = make_article(title="</script><script>alert(1)</script> & <!-- more")

    response = client.get(article.get_absolute_url())
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)

    assert "<" not in block.group(1) and ">" not in block.group(1) and "&" not in block.group(1)
    nodes = {node["@type"]: node for node in json_ld(response)["@graph"]}
    assert nodes["Article"]["headline"] == "</script><script>alert(1)</script> & <!-- more"


def test_article_page_loads_print_stylesheet_from_the_site_itself(client):
    html = client.get(make_article().get_absolute_url()).content.decode()

    assert '<link rel="stylesheet" href="/static/education/print.css" media="print">' in html
    assert "style=" not in html


# --- The list, topics, search -------------------------------------------------------------


def test_list_shows_newest_first_with_topics_reading_time_and_review_date(client):
    topic = make_topic(name="Alcohol use disorder")
    now = timezone.now()
    make_article(title="Older article", publish_at=now - datetime.timedelta(days=5))
    make_article(
        title="Newer article",
        publish_at=now - datetime.timedelta(days=1),
        topics=[topic],
        last_reviewed=datetime.date(2026, 6, 7),
    )

    text = text_of(client.get(LIST_URL))

    assert text.index("Newer article") < text.index("Older article")
    assert "1 min read · Reviewed June 7, 2026 · Topics: Alcohol use disorder" in text


def test_list_is_paginated_and_a_bad_page_number_still_shows_a_page(client):
    for _ in range(ARTICLES_PER_PAGE + 2):
        make_article()

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})
    nonsense = client.get(LIST_URL, {"page": "abc"})

    assert "Page 1 of 2" in text_of(first)
    assert text_of(second).count("min read") == 2
    assert nonsense.status_code == 200 and "Page 1 of 2" in text_of(nonsense)


def test_topic_page_lists_only_that_topics_articles(client):
    topic = make_topic(name="Opioid use disorder", slug="opioid-use-disorder", description="About opioids.")
    make_article(title="On topic", topics=[topic])
    make_article(title="Off topic")

    response = client.get("/articles/topic/opioid-use-disorder/")

    text = text_of(response)
    assert "Articles about opioid use disorder" in text
    assert "On topic" in text and "Off topic" not in text


def test_search_box_is_labelled(client):
    html = client.get(LIST_URL).content.decode()

    assert '<label class="form-label" for="id_q">Search articles</label>' in html
    assert 'id="id_q"' in html


@pytest.mark.parametrize("word", ["injection", "alcohol", "INJECTION"])
def test_search_finds_an_article_by_a_word_in_its_body(client, word):
    make_article(
        title="Naltrexone for opioid addiction",
        body_markdown="## How is it given?\n\nAs a pill, or as an injection once a month. "
        "It is also approved for alcohol use disorder.",
    )
    make_article(title="Something else", body_markdown="Nothing relevant here.")

    text = text_of(client.get(LIST_URL, {"q": word}))

    assert "Naltrexone for opioid addiction" in text
    assert "Something else" not in text
    assert "1 article found" in text


def test_search_ranks_a_title_match_above_a_body_match(client):
    now = timezone.now()
    # The title match is the older one, so newest-first alone would put it last.
    make_article(
        title="Withdrawal, explained",
        body_markdown="What happens.",
        publish_at=now - datetime.timedelta(days=9),
    )
    make_article(title="Sleep and recovery", body_markdown="Withdrawal can disturb sleep.")
    make_article(
        title="Feeling low", summary="Withdrawal and mood.", publish_at=now - datetime.timedelta(days=5)
    )

    text = text_of(client.get(LIST_URL, {"q": "withdrawal"}))

    assert text.index("Withdrawal, explained") < text.index("Feeling low") < text.index("Sleep and recovery")


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed',
        "a & b | !c",
        "!!!",
        "&|!()<>:*",
        "' OR 1=1 --",
        "x" * 1000,
        "nal\x00trexone",
        "   ",
        "zzqqxx",
    ],
    ids=[
        "quote",
        "operators",
        "bangs",
        "tsquery-syntax",
        "sql",
        "1000-chars",
        "nul-byte",
        "blank",
        "nonsense",
    ],
)
def test_weird_searches_get_a_friendly_page_never_an_error(client, query):
    make_article(title="Naltrexone for opioid addiction", topics=[make_topic(name="Opioid use disorder")])

    response = client.get(LIST_URL, {"q": query})

    assert response.status_code == 200
    text = text_of(response)
    if query.strip():
        assert "No articles matched your search" in text
        assert "Browse articles about opioid use disorder" in text
        assert "See all articles" in text
    else:
        assert "Naltrexone for opioid addiction" in text


def test_an_overlong_search_says_why(client):
    text = text_of(client.get(LIST_URL, {"q": "x" * 1000}))

    assert str(QUERY_TOO_LONG) in text


# --- Query counts ---------------------------------------------------------------------------


def _make_articles(count):
    topics = [make_topic(), make_topic()]
    reviewer, author = make_contributor(), make_contributor()
    return [
        make_article(
            topics=topics, medical_reviewer=reviewer, author=author, references=[("A citation.", "")]
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("count", [5, 100])
def test_list_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, count):
    """Each listed article shows its topics and reviewer: without prefetching, one query per article (N+1)."""
    _make_articles(count)

    with django_assert_max_num_queries(6):
        response = client.get(LIST_URL)
    assert response.status_code == 200

    with django_assert_max_num_queries(6):
        response = client.get(LIST_URL, {"q": "article"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 100])
def test_article_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, count):
    """The page shows topics, references and related articles: never one query per topic, reference or
    related article (N+1), however many articles share its topics."""
    articles = _make_articles(count)
    for other in articles[1:]:
        articles[0].related_articles.add(other)

    with django_assert_max_num_queries(6):
        response = client.get(articles[0].get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get(articles[-1].get_absolute_url())
    assert response.status_code == 200


def test_search_on_a_topic_page_stays_within_the_topic(client):
    topic = make_topic(slug="alcohol")
    make_article(title="Alcohol and naltrexone", topics=[topic], body_markdown="About naltrexone.")
    make_article(title="Opioids and naltrexone", body_markdown="About naltrexone.")

    text = text_of(client.get("/articles/topic/alcohol/", {"q": "naltrexone"}))

    assert "Alcohol and naltrexone" in text and "Opioids and naltrexone" not in text
