from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from clinic import practice
from tests.html import parse, visible_text

PUBLIC_PAGES = ["home", "about", "privacy"]

CRISIS_NOTICE = "Not for emergencies: call or text 988, or call 911."

# Outgoing links a referral may need; the page still loads nothing from them.
ALLOWED_EXTERNAL_LINK_HOSTS = {"findtreatment.gov"}


@pytest.mark.django_db
def test_home_page_introduces_the_practice_and_invites_booking(client):
    response = client.get("/")

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "Dr. Panagopoulos" in text
    assert "double-board-certified addiction psychiatrist" in text
    assert "naltrexone" in text
    assert "Psychotherapy" in text
    assert "New York, Texas and California" in text
    assert "No shame, no stigma" in text
    assert "Book a free 10-minute meet-and-greet" in text
    assert reverse("scheduling:book") in parse(response.content.decode()).links


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_carries_the_crisis_notice_and_disclaimer(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert CRISIS_NOTICE in text
    assert practice.DISCLAIMER in text
    assert "Skip to main content" in text


@pytest.mark.django_db
def test_missing_page_shows_the_sites_own_404_without_technical_detail(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    text = visible_text(response.content.decode())
    assert "We couldn't find that page" in text
    assert CRISIS_NOTICE in text
    assert "Traceback" not in text


def test_500_page_renders_in_the_sites_look_without_context_processors(rf):
    from clinic.views import server_error

    response = server_error(rf.get("/"))

    assert response.status_code == 500
    text = visible_text(response.content.decode())
    assert "Something went wrong on our side" in text
    assert CRISIS_NOTICE in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_load_nothing_from_other_hosts(client, name):
    page = parse(client.get(reverse(name)).content.decode())

    for url in page.resources:
        assert not urlsplit(url).netloc, f"{url} is loaded from another host"
    for url in page.links:
        host = urlsplit(url).hostname
        assert host is None or host in ALLOWED_EXTERNAL_LINK_HOSTS, f"{url} links to another host"


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_out_of_admin_and_manage_links(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Disallow: /book/manage/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


@pytest.mark.django_db
def test_sitemap_lists_the_site_pages(client):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver/</loc>" in body
    assert "<loc>http://testserver/privacy/</loc>" in body


@pytest.mark.django_db
def test_home_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    """The home page lists the latest articles; it must not query once per article (N+1)."""
    with django_assert_max_num_queries(3):
        client.get("/")


@pytest.mark.django_db
def test_home_page_is_served_from_cache_and_shows_a_newly_published_article(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from tests.education.factories import make_article

    client.get("/")
    with django_assert_max_num_queries(0):
        cached = client.get("/")
    assert cached.status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Coping with cravings")

    assert "Coping with cravings" in visible_text(client.get("/").content.decode())


@pytest.mark.parametrize("count", [5, 100])
@pytest.mark.django_db
def test_home_page_queries_do_not_grow_with_articles(client, count, django_assert_max_num_queries):
    """The latest-articles list must come from one query, not one per article (N+1)."""
    from tests.education.factories import make_article

    for _ in range(count):
        make_article()

    with django_assert_max_num_queries(3):
        response = client.get("/")
    assert response.status_code == 200
