from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clinic import practice
from education.models import Article

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    """The newest articles in the reader's language: /articles/feed/ English, /es/articles/feed/ Spanish."""

    def title(self):
        return f"{_('Patient-education articles')} · {practice.PRACTICE_NAME}"

    def link(self):
        return reverse("education:article-list")

    def description(self):
        return _("New and updated patient-education articles, medically reviewed.")

    def items(self):
        return (
            Article.objects.published()
            .in_language(translation.get_language())
            .select_related("author")
            .defer("body_markdown", "body_html", "body_text")
            .order_by("-publish_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_author_name(self, item):
        return item.author.name
