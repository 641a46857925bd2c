"""Site-wide pages: home, about, privacy, and the machines' pages."""

import logging

from django.db import DatabaseError, connections
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic import practice
from education.cache import cache_public_page
from education.selectors import latest_articles

logger = logging.getLogger(__name__)


@require_safe
@cache_public_page  # it lists the latest articles; any article change drops it
def home(request):
    return render(request, "clinic/home.html", {"latest_articles": latest_articles(limit=3)})


@require_safe
def about(request):
    return render(request, "clinic/about.html")


@require_safe
def privacy(request):
    return render(request, "clinic/privacy.html")


@require_safe
def contact(request):
    """Phone, email and office hours, each shown only when staff set it in admin."""
    return render(request, "clinic/contact.html")


@never_cache
@require_safe
def healthz(request):
    """200 "ok" when the database answers a query, 503 when it does not."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /book/manage/",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain")


def bad_request(request, exception):
    """400 page in the site's look (a form in another charset than UTF-8, a malformed upload...).

    Django's own 400 view runs the CSRF check again, which reads the form again, which raises
    again: a 500. This one reads nothing from the request (not even its host, which may be what
    was refused), like the 500 page.
    """
    return HttpResponseBadRequest(loader.get_template("400.html").render({"practice": practice}))


def server_error(request):
    """500 page in the site's look. Rendered without context processors, which may be what failed."""
    html = loader.get_template("500.html").render({"practice": practice})
    return HttpResponse(html, status=500)
