"""Sitemaps of the education app, merged into /sitemap.xml by clinic/urls.py.

Every page is listed in each language it exists in, with its alternates (hreflang, and x-default
for the English page). An article and its translation are one entry of `items()` listed twice,
since their addresses differ by more than the /es/ prefix (each has its own slug).
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from education import selectors
from education.models import ENGLISH, Article, Topic

DEFERRED = ["body_markdown", "body_html", "body_text", "search_document", "toc"]


class ArticleListSitemap(Sitemap):
    changefreq = "weekly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["education:article-list"]

    def location(self, item):
        return reverse(item)


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        # One item per article and its translation: the English article, or a translation whose
        # English article is not public.
        published = Article.objects.published()
        return (
            published.filter(Q(language=ENGLISH) | ~Q(translation_of__in=published.filter(language=ENGLISH)))
            .select_related("translation", "translation_of")
            .defer(*DEFERRED, *(f"translation__{name}" for name in DEFERRED))
            .defer(*(f"translation_of__{name}" for name in DEFERRED))
            .order_by("pk")
        )

    def _versions(self, article: Article) -> dict[str, Article]:
        versions = {article.language: article}
        other = article.other_language_version
        if other is not None and other.is_public:
            versions[other.language] = other
        return versions

    def get_languages_for_item(self, item):
        return [code for code, _name in settings.LANGUAGES if code in self._versions(item)]

    def location(self, item):
        return self._versions(item)[translation.get_language()].get_absolute_url()

    def lastmod(self, item):
        return max(version.modified_at for version in self._versions(item).values())


class TopicSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        in_use = set().union(*self._topics_by_language().values())
        return Topic.objects.filter(pk__in=in_use).order_by("name")

    def get_languages_for_item(self, item):
        return [code for code, _name in settings.LANGUAGES if item.pk in self._topics_by_language()[code]]

    def _topics_by_language(self):
        if not hasattr(self, "_in_use"):
            self._in_use = {
                code: set(selectors.topics_in_use(language=code).values_list("pk", flat=True))
                for code, _name in settings.LANGUAGES
            }
        return self._in_use


SITEMAPS = {"article-list": ArticleListSitemap, "articles": ArticleSitemap, "topics": TopicSitemap}
