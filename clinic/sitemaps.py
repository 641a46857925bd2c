from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PagesSitemap(Sitemap):
    """The site's own pages (articles have their own sitemap in the education app)."""

    changefreq = "monthly"

    def items(self):
        return ["home", "about", "contact", "privacy"]

    def location(self, item):
        return reverse(item)
