from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy

from clinic import practice
from education.models import Article

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    title = f"Patient-education articles · {practice.PRACTICE_NAME}"
    link = reverse_lazy("education:article-list")
    description = "New and updated patient-education articles, medically reviewed."

    def items(self):
        return (
            Article.objects.published()
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
