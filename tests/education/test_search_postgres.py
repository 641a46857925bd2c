"""Full-text search specifics that only exist on PostgreSQL."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from education.models import SEARCH_CONFIG, Article
from tests.education.factories import make_article

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL only"),
]


def test_search_filter_can_use_the_gin_index():
    """Without the index every search reads every article; the planner must be able to use it."""
    for _ in range(3):
        make_article()
    query = SearchQuery("injection", search_type="websearch", config=SEARCH_CONFIG)
    searched = Article.objects.filter(search_document=query).values("pk")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = searched.explain()

    assert "article_search_document_idx" in plan


def test_saving_an_article_stores_its_search_vector():
    article = make_article(title="Naltrexone", body_markdown="Given as an injection.")

    query = SearchQuery("injection", config=SEARCH_CONFIG)
    stored = Article.objects.filter(pk=article.pk, search_document=query)

    assert stored.exists()


def test_search_uses_word_stems(client):
    make_article(title="Naltrexone", body_markdown="It is given as an injection once a month.")

    response = client.get("/articles/", {"q": "injections"})

    assert "1 article found" in response.content.decode()
