"""Writes to articles that carry a rule. Admin actions and the seed call these; nothing re-implements them."""

import datetime

from django.db import transaction
from django.utils import timezone

from education.models import Article


class ArticleNotPublishable(Exception):
    """The article lacks what publishing needs (a medical reviewer, a review date)."""


def article_publish(*, article: Article, at: datetime.datetime | None = None) -> Article:
    """Publish `article` at `at` (default: now; a future time schedules it).

    Saves the article. Raises ArticleNotPublishable, changing nothing, when it has no medical
    reviewer or no last-reviewed date.
    """
    problems = article.publish_problems()
    if problems:
        raise ArticleNotPublishable(f"“{article.title}” was not published: {' and '.join(problems)}.")
    with transaction.atomic():
        article.status = Article.Status.PUBLISHED
        article.publish_at = at or article.publish_at or timezone.now()
        article.save()
    return article


def article_unpublish(*, article: Article) -> Article:
    """Return `article` to draft: it leaves the public site, the sitemap and the feed at once. Saves it."""
    article.status = Article.Status.DRAFT
    article.save()
    return article
