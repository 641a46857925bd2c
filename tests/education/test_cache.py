import datetime

import pytest
from django.utils import timezone

from education import cache as page_cache
from education.models import Article, Reference
from education.services import article_unpublish
from tests.education.factories import make_article, make_contributor, make_staff, make_topic
from tests.html import visible_text
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return visible_text(response.content.decode())


def test_a_second_anonymous_visit_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    article = make_article()
    client.get(article.get_absolute_url())
    client.get("/articles/")

    with django_assert_num_queries(0):
        detail = client.get(article.get_absolute_url())
        listing = client.get("/articles/")

    assert article.title in text_of(detail) and article.title in text_of(listing)
    assert "Content-Security-Policy" in detail  # the security headers still go out with a cached page


def test_editing_an_article_shows_the_new_text_at_once(client):
    article = make_article(body_markdown="The old sentence.", summary="Old summary.")
    assert "The old sentence." in text_of(client.get(article.get_absolute_url()))
    assert "Old summary." in text_of(client.get("/articles/"))

    article = Article.objects.get(pk=article.pk)
    article.body_markdown = "The new sentence."
    article.summary = "New summary."
    article.save()

    page = text_of(client.get(article.get_absolute_url()))
    assert "The new sentence." in page and "The old sentence." not in page
    listing = text_of(client.get("/articles/"))
    assert "New summary." in listing and "Old summary." not in listing


def test_unpublishing_removes_the_cached_page_at_once(client):
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    assert article.title in text_of(client.get("/articles/"))

    article_unpublish(article=Article.objects.get(pk=article.pk))

    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.title not in text_of(client.get("/articles/"))


def test_deleting_an_article_removes_the_cached_page_at_once(client):
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200

    Article.objects.get(pk=article.pk).delete()

    assert client.get(article.get_absolute_url()).status_code == 404


def test_topic_reference_and_reviewer_changes_show_at_once(client):
    topic = make_topic(name="Old topic name")
    reviewer = make_contributor(name="Dr. Old Name")
    article = make_article(topics=[topic], medical_reviewer=reviewer, references=[("Old citation.", "")])
    client.get(article.get_absolute_url())

    topic.name = "New topic name"
    topic.save()
    reviewer.name = "Dr. New Name"
    reviewer.save()
    Reference.objects.filter(article=article).update(citation="x")  # bulk update sends no signal...
    Reference.objects.create(article=article, position=9, citation="Added citation.")  # ...but this does

    text = text_of(client.get(article.get_absolute_url()))
    assert "New topic name" in text and "Dr. New Name" in text and "Added citation." in text


def test_changing_an_articles_topics_updates_the_topic_pages(client):
    topic = make_topic(slug="alcohol")
    article = make_article(title="Moves between topics")
    assert "Moves between topics" not in text_of(client.get("/articles/topic/alcohol/"))

    article.topics.add(topic)

    assert "Moves between topics" in text_of(client.get("/articles/topic/alcohol/"))


def test_logged_in_staff_are_never_served_or_stored_in_the_cache(client, django_assert_max_num_queries):
    article = make_article(body_markdown="Original text.")
    staff_login(client, make_staff(superuser=True))
    client.get(article.get_absolute_url())

    # Change the row behind the ORM's back (no signal): only a fresh render can show it.
    Article.objects.filter(pk=article.pk).update(body_html="<p>Changed without a signal.</p>")

    assert "Changed without a signal." in text_of(client.get(article.get_absolute_url()))
    client.logout()
    assert "Changed without a signal." in text_of(client.get(article.get_absolute_url()))


def test_a_page_is_not_kept_past_the_next_scheduled_publication():
    make_article(status="published", publish_at=timezone.now() + datetime.timedelta(seconds=90))

    assert 1 <= page_cache._timeout() <= 91


def test_without_scheduled_articles_a_page_is_kept_for_the_default_time():
    make_article()

    assert page_cache._timeout() == page_cache.PAGE_TIMEOUT


def test_tracking_parameters_do_not_make_new_cache_entries(client, django_assert_num_queries):
    article = make_article()
    client.get(article.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.get(article.get_absolute_url(), {"utm_source": "newsletter"})
    assert article.title in text_of(response)


def test_search_results_follow_an_article_change_at_once(client, django_capture_on_commit_callbacks):
    article = make_article(body_markdown="Nothing about it yet.")
    assert "No articles matched your search" in text_of(client.get("/articles/", {"q": "buprenorphine"}))

    with django_capture_on_commit_callbacks(execute=True):
        article.body_markdown = "Now about buprenorphine."
        article.save()

    assert "1 article found" in text_of(client.get("/articles/", {"q": "buprenorphine"}))


def test_repeated_searches_are_served_from_the_cache_but_long_ones_never_stored(
    client, django_assert_num_queries
):
    make_article(body_markdown="About naltrexone.")
    client.get("/articles/", {"q": "naltrexone"})

    with django_assert_num_queries(0):
        assert "1 article found" in text_of(client.get("/articles/", {"q": "naltrexone"}))

    long_query = "naltrexone " * 10
    client.get("/articles/", {"q": long_query})
    with django_assert_num_queries(4):  # searched again: count, page, its topics, the topic list
        client.get("/articles/", {"q": long_query})
