from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class PagesSitemap(Sitemap):
    """The site's own pages (articles have their own sitemap in the education app)."""

    changefreq = "monthly"
    # Each page in English and Spanish, with its alternates (hreflang and x-default).
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return ["home", "about", "contact", "privacy"]

    def location(self, item):
        return reverse(item)
