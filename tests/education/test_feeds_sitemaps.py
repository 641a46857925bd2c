import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.education.factories import make_article, make_topic

pytestmark = pytest.mark.django_db

SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def articles():
    topic = make_topic(slug="opioid-use-disorder")
    unused_topic = make_topic(slug="unused")
    published = [make_article(topics=[topic]) for _ in range(3)]
    draft = make_article(published=False, topics=[unused_topic])
    scheduled = make_article(status="published", publish_at=timezone.now() + datetime.timedelta(days=2))
    return published, [draft, scheduled]


def test_sitemap_lists_the_article_list_every_published_article_and_used_topics(client, articles):
    published, hidden = articles

    root = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {
        url.find("s:loc", SITEMAP_NS).text: url.find("s:lastmod", SITEMAP_NS)
        for url in root.findall("s:url", SITEMAP_NS)
    }

    article_locs = {loc for loc in entries if re.search(r"/articles/article-\d+/$", loc)}
    assert article_locs == {f"http://testserver{a.get_absolute_url()}" for a in published}
    for article in published:
        lastmod = entries[f"http://testserver{article.get_absolute_url()}"]
        assert lastmod.text.startswith(article.modified_at.date().isoformat())
    assert "http://testserver/articles/" in entries
    assert "http://testserver/articles/topic/opioid-use-disorder/" in entries
    assert "http://testserver/articles/topic/unused/" not in entries
    assert "http://testserver/" in entries  # the site's own pages are still there


def test_feed_lists_exactly_the_published_articles(client, articles):
    published, hidden = articles

    response = client.get("/articles/feed/")

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    links = {item.find("link").text for item in root.iter("item")}
    assert links == {f"http://testserver{a.get_absolute_url()}" for a in published}
    titles = {item.find("title").text for item in root.iter("item")}
    assert not titles & {a.title for a in hidden}


def test_list_page_advertises_the_feed(client):
    html = client.get("/articles/").content.decode()

    feed_link = '<link rel="alternate" type="application/rss+xml" title="Patient-education articles"'
    assert f'{feed_link} href="/articles/feed/">' in html
