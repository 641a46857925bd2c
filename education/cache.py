"""Whole-page cache for anonymous readers of the article pages.

Pages are versioned entries of `clinic.cache`: any change to an article, topic, reference or
contributor replaces the version (education/signals.py), so every server, sharing the cache
(Redis in production), stops serving the old pages at once; they then expire on their own.
Entries are keyed on the page's address and its language. Logged-in users (staff, previews)
are never served from the cache and never stored in it.
Search result pages are kept for a minute at most, and only for short queries.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from clinic import cache

VERSION_KEY = "education:pages-version"
PAGE_TIMEOUT = 10 * 60  # seconds; short enough that a stale page can never live long
# Searches people repeat ("naltrexone") are kept briefly; long one-off queries never are. Any
# article change drops them with every other page.
SEARCH_PAGE_TIMEOUT = 60
SEARCH_CACHE_MAX_LENGTH = 60


def invalidate_pages() -> None:
    """Forget every cached article page (now, and again once the transaction commits)."""
    cache.new_version(VERSION_KEY)


def _timeout() -> int:
    # A scheduled article must appear on time: never keep a page past the next publish time.
    from education.models import Article

    now = timezone.now()
    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    if upcoming is None:
        return PAGE_TIMEOUT
    return max(1, min(PAGE_TIMEOUT, int((upcoming - now).total_seconds()) + 1))


def signed_in(request) -> bool:
    """Whether a staff member is signed in on this request.

    Only staff have sessions on this site, so a request without the session cookie is anonymous:
    it is answered without reading a session or building the user (and its second-factor state)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def cache_public_page(view):
    """Serve anonymous GET requests from the cache; store successful anonymous responses."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        staff = signed_in(request)
        if request.method not in ("GET", "HEAD") or staff:
            response = view(request, *args, **kwargs)
            if staff:
                # A staff member's page may show drafts: no browser or proxy may keep it.
                add_never_cache_headers(response)
            return response
        query = request.GET.get("q", "")
        if len(query) > SEARCH_CACHE_MAX_LENGTH:
            # Long, one-off searches are not worth keeping (and must not fill the cache).
            return view(request, *args, **kwargs)
        # Only the search and the page number change what these pages show; other parameters
        # (utm_source...) must not make new entries.
        location = (
            f"{request.scheme}://{request.get_host()}{request.path}"
            f"?q={query}&page={request.GET.get('page', '')}"
        )
        # The language too: the address names it today (/es/...), but a page must never be served
        # in a language other than the one it was rendered in, whatever decides the language.
        language = translation.get_language()
        key = f"education:page:{language}:{hashlib.sha256(location.encode()).hexdigest()}"
        version, cached = cache.lookup(VERSION_KEY, key)
        if cached is not cache.MISS:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            # What reading the session used to add: a browser must not show this page to staff.
            response.headers["Vary"] = "Cookie"
            return response
        response = view(request, *args, **kwargs)
        # Only a plain success is kept: never an error, a redirect or a page that sets a cookie.
        if response.status_code == 200 and not response.cookies:
            if hasattr(response, "render"):
                response.render()
            timeout = min(_timeout(), SEARCH_PAGE_TIMEOUT) if query else _timeout()
            cache.store(key, version, (response.content, response["Content-Type"]), timeout)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
