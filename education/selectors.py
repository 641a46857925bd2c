"""Reads of articles: for these pages and for other parts of the site."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, Q, Value, When

from education.models import ENGLISH, SEARCH_CONFIG, SEARCH_CONFIGS, Article, Topic

# Every read of what the public sees takes the reader's language: a Spanish page lists Spanish articles.


def latest_articles(*, limit: int, language: str = ENGLISH):
    """The newest published articles (title, summary, get_absolute_url), in one query, for the home page."""
    return list(
        Article.objects.published()
        .in_language(language)
        .only("title", "slug", "summary", "publish_at", "language")[:limit]
    )


def article_list(*, topic: Topic | None = None, language: str = ENGLISH):
    articles = Article.objects.published().in_language(language).for_listing()
    if topic is not None:
        articles = articles.filter(topics=topic)
    return articles


def article_search(*, query: str, topic: Topic | None = None, language: str = ENGLISH):
    """Published articles matching `query`, best first.

    PostgreSQL: full-text search, ranked with title over summary over body (websearch syntax, so
    quotes, `-word` and stray `&|!` are read as a person means them, never as a syntax error).
    Other databases (SQLite on a laptop): every word must appear, case-insensitively, somewhere.
    """
    articles = article_list(topic=topic, language=language)
    if connection.vendor == "postgresql":
        config = SEARCH_CONFIGS.get(language, SEARCH_CONFIG)
        search_query = SearchQuery(query, search_type="websearch", config=config)
        # The vector stored on save (GIN-indexed), not one parsed from the text per search.
        return (
            articles.filter(search_document=search_query)
            .annotate(rank=SearchRank(F("search_document"), search_query))
            .order_by("-rank", "-publish_at", "-pk")
        )
    terms = query.replace('"', " ").split()
    if not terms:
        return articles.none()
    terms = terms[:20]
    for term in terms:
        articles = articles.filter(
            Q(title__icontains=term) | Q(summary__icontains=term) | Q(body_text__icontains=term)
        )
    # The same order of importance as on PostgreSQL, roughly: a word in the title, then the summary.
    rank = sum(
        (
            Case(When(title__icontains=term, then=Value(4)), default=Value(0))
            + Case(When(summary__icontains=term, then=Value(2)), default=Value(0))
            for term in terms
        ),
        start=Value(0),
    )
    return articles.annotate(rank=rank).order_by("-rank", "-publish_at", "-pk")


def article_for_reader(*, slug: str):
    """One article with everything its page shows, in a fixed number of queries (None if absent)."""
    return (
        Article.objects.select_related("author", "medical_reviewer", "translation_of", "translation")
        .prefetch_related("topics", "references")
        .defer("search_document")
        .filter(slug=slug)
        .first()
    )


def related_articles(*, article: Article, limit: int = 3) -> list[Article]:
    """The articles the author chose, else others on the same topics; published ones only."""
    chosen = list(
        article.related_articles.published()
        .in_language(article.language)
        .exclude(pk=article.pk)
        .order_by("-publish_at")[:limit]
    )
    if chosen:
        return chosen
    topic_ids = [topic.pk for topic in article.topics.all()]
    if not topic_ids:
        return []
    return list(
        Article.objects.published()
        .in_language(article.language)
        .filter(topics__in=topic_ids)
        .exclude(pk=article.pk)
        .distinct()
        .only("title", "slug", "summary", "publish_at", "language")
        .order_by("-publish_at")[:limit]
    )


def topics_in_use(*, language: str = ENGLISH):
    """Topics with at least one published article in `language`, for filters and suggestions."""
    published = Article.objects.published().in_language(language)
    return Topic.objects.filter(articles__in=published).distinct().order_by("name")
