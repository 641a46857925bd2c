"""Site-wide pages: home, about, privacy, and the machines' pages."""

import logging
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from clinic import practice
from clinic.context_processors import language_choices
from education.cache import cache_public_page
from education.selectors import latest_articles

logger = logging.getLogger(__name__)


def offer_preferred_language(view):
    """The English home page sends a reader to /es/ when they chose Spanish with the switch (the
    cookie) or, before any choice, when their browser prefers Spanish. Choosing English with the
    switch sets the cookie, so this never keeps anyone from the English page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # The cookie first, then the browser's Accept-Language (Django's order); English otherwise.
        preferred = translation.get_language_from_request(request)
        if translation.get_language() == settings.LANGUAGE_CODE and preferred != settings.LANGUAGE_CODE:
            response = HttpResponseRedirect(translate_url(request.get_full_path(), preferred))
        else:
            response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response

    return wrapper


@require_safe
@offer_preferred_language
@cache_public_page  # it lists the latest articles; any article change drops it
def home(request):
    return render(
        request,
        "clinic/home.html",
        {"latest_articles": latest_articles(limit=3, language=translation.get_language())},
    )


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


@csrf_exempt  # public pages are cached whole, with no CSRF token; a forged post can only change a language
@require_POST
def set_language(request):
    """The language switch: remember the reader's choice (a cookie) and go to `next`, the same page in
    that language (each switch button carries its own address, see clinic/context_processors.py)."""
    return i18n.set_language(request)


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
        "Disallow: /es/book/manage/",
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
    # The language is the one the address chose (LocaleMiddleware ran before the view failed).
    context = {"practice": practice, "LANGUAGE_CODE": translation.get_language()}
    return HttpResponseBadRequest(loader.get_template("400.html").render(context))


def server_error(request):
    """500 page in the site's look. Rendered without context processors, which may be what failed."""
    try:
        choices = language_choices(request)
    except Exception:  # the error page must not fail in turn
        choices = []
    html = loader.get_template("500.html").render(
        {
            "practice": practice,
            "LANGUAGE_CODE": translation.get_language(),
            "request": request,
            "language_choices": choices,
        }
    )
    return HttpResponse(html, status=500)
