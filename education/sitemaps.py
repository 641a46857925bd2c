"""Sitemaps of the education app, merged into /sitemap.xml by clinic/urls.py."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from education import selectors
from education.models import Article


class ArticleListSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["education:article-list"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "content_modified_at", "first_published_at")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.modified_at


class TopicSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return selectors.topics_in_use()


SITEMAPS = {"article-list": ArticleListSitemap, "articles": ArticleSitemap, "topics": TopicSitemap}
