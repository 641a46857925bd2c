import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from education.models import Article
from education.services import ArticleNotPublishable, article_publish, article_unpublish
from tests.education.factories import make_article, make_contributor

pytestmark = pytest.mark.django_db


def test_an_article_without_a_reviewer_is_not_published_and_nothing_changes():
    article = make_article(published=False, medical_reviewer=None)

    with pytest.raises(ArticleNotPublishable, match="it has no medical reviewer"):
        article_publish(article=article)

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.first_published_at is None


def test_an_article_without_a_review_date_is_not_published():
    article = make_article(published=False, last_reviewed=None)

    with pytest.raises(ArticleNotPublishable, match="no last-reviewed date"):
        article_publish(article=article)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def test_the_database_refuses_a_published_article_without_a_reviewer():
    article = make_article(published=False, medical_reviewer=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(status="published", publish_at=timezone.now())


def test_publishing_without_a_time_publishes_now_and_records_the_first_publication():
    article = make_article(published=False)

    article_publish(article=article)

    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.publish_at <= timezone.now()
    assert article.first_published_at == article.publish_at
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_a_future_publish_time_schedules_the_article():
    article = make_article(published=False)
    at = timezone.now() + datetime.timedelta(hours=2)

    article_publish(article=article, at=at)

    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert Article.objects.published(now=at + datetime.timedelta(seconds=1)).filter(pk=article.pk).exists()


def test_unpublishing_returns_the_article_to_draft_and_keeps_its_first_publication():
    article = make_article()
    first = article.first_published_at

    article_unpublish(article=article)

    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.first_published_at == first
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_content_modified_moves_only_when_the_text_changes():
    article = make_article()
    before = article.content_modified_at

    article = Article.objects.get(pk=article.pk)
    article.show_booking_cta = False
    article.medical_reviewer = make_contributor()
    article.save()
    assert Article.objects.get(pk=article.pk).content_modified_at == before

    article = Article.objects.get(pk=article.pk)
    article.body_markdown += "\n\nA new paragraph."
    article.save()
    assert Article.objects.get(pk=article.pk).content_modified_at > before


def test_next_review_defaults_to_a_year_after_the_last_review():
    article = make_article(last_reviewed=datetime.date(2026, 3, 1))

    assert article.next_review_due == datetime.date(2027, 3, 1)


def test_body_is_rendered_and_measured_on_save():
    article = make_article(body_markdown="## A question\n\nThe cat sat on the mat. It was a good cat.")

    assert '<h2 id="a-question">A question</h2>' in article.body_html
    assert article.toc == [{"id": "a-question", "title": "A question"}]
    assert article.reading_minutes == 1
    assert article.reading_grade is not None and article.reading_grade < 8


def test_model_validation_refuses_publishing_without_reviewer_with_a_message():
    from django.core.exceptions import ValidationError

    article = make_article(published=False, medical_reviewer=None)
    article.status = Article.Status.PUBLISHED

    with pytest.raises(ValidationError) as excinfo:
        article.full_clean()
    assert excinfo.value.message_dict["medical_reviewer"] == ["A medical reviewer is required to publish."]


def _published_times_readers_see(client, article) -> dict[str, datetime.datetime]:
    """The first-publication time as the article page, its JSON-LD and the feed give it."""
    import email.utils
    import json
    import re
    import xml.etree.ElementTree as ET

    page = client.get(article.get_absolute_url()).content.decode()
    meta = re.search(r'<meta property="article:published_time" content="([^"]+)">', page).group(1)
    graph = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    (article_node,) = [node for node in graph["@graph"] if node["@type"] == "Article"]
    feed = ET.fromstring(client.get("/articles/feed/").content)
    (item,) = [i for i in feed.iter("item") if i.find("link").text.endswith(article.get_absolute_url())]
    return {
        "article:published_time": datetime.datetime.fromisoformat(meta),
        "JSON-LD datePublished": datetime.datetime.fromisoformat(article_node["datePublished"]),
        "feed pubDate": email.utils.parsedate_to_datetime(item.find("pubDate").text),
    }


def _sitemap_lastmod(client, article) -> str:
    import xml.etree.ElementTree as ET

    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    (lastmod,) = [
        url.find("s:lastmod", ns).text
        for url in sitemap.findall("s:url", ns)
        if url.find("s:loc", ns).text.endswith(article.get_absolute_url())
    ]
    return lastmod


def test_a_scheduled_article_published_early_shows_the_real_publication_time_everywhere(client):
    """Scheduled for tomorrow, published today: readers see today's time, never tomorrow's."""
    article = make_article(published=False)
    article_publish(article=article, at=timezone.now() + datetime.timedelta(days=1))

    published_at = timezone.now()
    article_publish(article=Article.objects.get(pk=article.pk), at=published_at)

    article.refresh_from_db()
    assert article.first_published_at == published_at
    seen = _published_times_readers_see(client, article)
    for where, when in seen.items():
        assert abs(when - published_at) < datetime.timedelta(seconds=1), where
    # The sitemap gives a date only (in the clinic's zone).
    today = timezone.localdate(published_at).isoformat()
    assert _sitemap_lastmod(client, article) == today


def test_a_scheduled_article_taken_back_to_draft_was_never_published():
    article = make_article(published=False)
    article_publish(article=article, at=timezone.now() + datetime.timedelta(days=1))

    article_unpublish(article=article)

    article.refresh_from_db()
    assert article.first_published_at is None


def test_a_published_article_keeps_its_first_publication_when_rescheduled():
    article = make_article()
    first = article.first_published_at

    article_publish(article=article, at=timezone.now() + datetime.timedelta(days=3))

    article.refresh_from_db()
    assert article.first_published_at == first
