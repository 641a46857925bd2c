"""Article pages. Thin: read input, call a selector, render. Anonymous pages come from the cache."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from clinic.context_processors import language_choices
from education import selectors
from education.cache import cache_public_page
from education.forms import ArticleSearchForm
from education.models import Article, Topic
from education.structured_data import article_graph, to_script_json

ARTICLES_PER_PAGE = 10


@require_safe
@cache_public_page
def article_list(request, topic_slug=None):
    topic = get_object_or_404(Topic, slug=topic_slug) if topic_slug else None
    language = translation.get_language()
    form = ArticleSearchForm(request.GET)
    searchable = form.is_valid()  # else the form shows why (too long, a NUL character)
    query = form.cleaned_data["q"] if searchable else ""
    if not searchable:
        articles = Article.objects.none()
    elif query:
        articles = selectors.article_search(query=query, topic=topic, language=language)
    else:
        articles = selectors.article_list(topic=topic, language=language)
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    searching = bool(query) or not searchable
    return render(
        request,
        "education/article_list.html",
        {
            "page_obj": page,
            "articles": page.object_list,
            "topic": topic,
            "topics": list(selectors.topics_in_use(language=language)),
            "form": form,
            "query": query,
            "searching": searching,
        },
    )


@require_safe
@cache_public_page
def article_detail(request, slug):
    article = selectors.article_for_reader(slug=slug)
    if article is None:
        raise Http404("No such article")
    preview = not article.is_public
    if preview and not request.user.has_perm("education.view_article"):
        # Drafts and scheduled articles do not exist for the public.
        raise Http404("No such article")
    other = article.other_language_version
    if other is not None and not (other.is_public or request.user.has_perm("education.view_article")):
        other = None
    if article.language != translation.get_language():
        # An article at the other language's address (/es/articles/<an English slug>/): its
        # translation when there is one, else the article where it lives.
        return redirect(
            other if other is not None and other.language == translation.get_language() else article
        )
    page_url = request.build_absolute_uri(article.get_absolute_url())
    site_url = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "education/article_detail.html",
        {
            "article": article,
            "preview": preview,
            "page_url": page_url,
            "translation": other,
            "alternates": _alternates(request, article, other),
            "language_choices": language_choices(request, _switch_addresses(article, other)),
            "related": selectors.related_articles(article=article),
            "json_ld": to_script_json(article_graph(article, page_url=page_url, site_url=site_url)),
        },
    )


def _alternates(request, article, other) -> list[dict]:
    """<link rel="alternate" hreflang> for an article and its translation (none without one)."""
    if other is None:
        return []
    by_language = {
        version.language: request.build_absolute_uri(version.get_absolute_url())
        for version in (article, other)
    }
    alternates = [{"hreflang": code, "url": url} for code, url in sorted(by_language.items())]
    default = by_language.get(settings.LANGUAGE_CODE)
    if default:
        alternates.append({"hreflang": "x-default", "url": default})
    return alternates


def _switch_addresses(article, other) -> dict[str, str]:
    """Where the language switch leads from an article: its translation, else that language's list."""
    addresses = {article.language: article.get_absolute_url()}
    for code, _name in settings.LANGUAGES:
        if code == article.language:
            continue
        if other is not None and other.language == code:
            addresses[code] = other.get_absolute_url()
        else:
            with translation.override(code):
                addresses[code] = reverse("education:article-list")
    return addresses
