"""Article pages. Thin: read input, call a selector, render. Anonymous pages come from the cache."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

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
    form = ArticleSearchForm(request.GET)
    searchable = form.is_valid()  # else the form shows why (too long, a NUL character)
    query = form.cleaned_data["q"] if searchable else ""
    if not searchable:
        articles = Article.objects.none()
    elif query:
        articles = selectors.article_search(query=query, topic=topic)
    else:
        articles = selectors.article_list(topic=topic)
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    searching = bool(query) or not searchable
    return render(
        request,
        "education/article_list.html",
        {
            "page_obj": page,
            "articles": page.object_list,
            "topic": topic,
            "topics": list(selectors.topics_in_use()),
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
    page_url = request.build_absolute_uri(article.get_absolute_url())
    site_url = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "education/article_detail.html",
        {
            "article": article,
            "preview": preview,
            "page_url": page_url,
            "related": selectors.related_articles(article=article),
            "json_ld": to_script_json(article_graph(article, page_url=page_url, site_url=site_url)),
        },
    )
