import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from education import seed
from education.models import Article
from tests.education.factories import make_article, make_contributor, make_staff
from tests.html import visible_text
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:education_article_changelist")


@pytest.fixture
def admin_client(client):
    staff_login(client, make_staff(superuser=True, username="admin"))
    return client


def test_changelist_shows_status_reviewer_review_dates_and_the_overdue_filter(admin_client):
    make_article(title="Reviewed long ago", last_reviewed=datetime.date(2020, 1, 1))
    make_article(
        title="Just reviewed",
        last_reviewed=datetime.date.today(),
        medical_reviewer=make_contributor(name="Dr. P"),
    )

    text = visible_text(admin_client.get(CHANGELIST).content.decode())
    overdue = visible_text(admin_client.get(CHANGELIST, {"review": "overdue"}).content.decode())

    assert "Review overdue" in text
    assert "Published" in text and "Dr. P" in text
    assert "Reviewed long ago" in overdue and "Just reviewed" not in overdue


def test_publish_action_refuses_an_unreviewed_article_with_a_clear_message(admin_client):
    unreviewed = make_article(published=False, title="No reviewer yet", medical_reviewer=None)
    ready = make_article(published=False, title="Ready to go")

    response = admin_client.post(
        CHANGELIST, {"action": "publish_selected", "_selected_action": [unreviewed.pk, ready.pk]}, follow=True
    )

    text = visible_text(response.content.decode())
    assert "Published 1 article." in text
    assert "Not published (add a medical reviewer and a last-reviewed date first):" in text
    assert "“No reviewer yet” was not published: it has no medical reviewer." in text
    assert Article.objects.get(pk=unreviewed.pk).status == Article.Status.DRAFT
    assert Article.objects.get(pk=ready.pk).status == Article.Status.PUBLISHED


def test_unpublish_action_returns_articles_to_draft(admin_client):
    article = make_article()

    response = admin_client.post(
        CHANGELIST, {"action": "unpublish_selected", "_selected_action": [article.pk]}, follow=True
    )

    assert "Unpublished 1 article; they are drafts now." in visible_text(response.content.decode())
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def _form_data(article=None, **overrides):
    author = make_contributor()
    data = {
        "title": "A new article",
        "slug": "a-new-article",
        "summary": "Short.",
        "body_markdown": "## Question?\n\nAnswer.",
        "author": author.pk,
        "status": "published",
        "publish_at_0": "",
        "publish_at_1": "",
        "show_booking_cta": "on",
        "references-TOTAL_FORMS": "0",
        "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_saving_as_published_without_a_reviewer_is_refused_in_the_form(admin_client):
    response = admin_client.post(reverse("admin:education_article_add"), _form_data())

    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert "A medical reviewer is required to publish." in text
    assert "The last-reviewed date is required to publish." in text
    assert not Article.objects.exists()


def test_admin_add_page_prefills_the_slug_and_saving_a_reviewed_article_publishes_it(admin_client):
    page = admin_client.get(reverse("admin:education_article_add")).content.decode()
    assert "django-admin-prepopulated-fields-constants" in page and "#id_slug" in page

    reviewer = make_contributor(name="Dr. Panagopoulos")
    response = admin_client.post(
        reverse("admin:education_article_add"),
        _form_data(medical_reviewer=reviewer.pk, last_reviewed="2026-05-01"),
        follow=True,
    )

    assert response.status_code == 200
    article = Article.objects.get(slug="a-new-article")
    assert article.is_public
    assert article.next_review_due == datetime.date(2027, 5, 1)


def test_a_hard_to_read_article_warns_the_author_on_save_and_on_the_change_page(admin_client):
    dense = (
        "Pharmacological antagonism of mu-opioid receptors substantially attenuates the reinforcing "
        "properties of exogenously administered opioid agonists, "
        "consequently diminishing relapse probability."
    )
    response = admin_client.post(
        reverse("admin:education_article_add"), _form_data(status="draft", body_markdown=dense), follow=True
    )
    article = Article.objects.get(slug="a-new-article")

    assert "above the grade 8 the clinic aims for" in visible_text(response.content.decode())
    change_page = admin_client.get(reverse("admin:education_article_change", args=[article.pk]))
    assert f"Grade {article.reading_grade} (aim for 8 or below)" in visible_text(change_page.content.decode())


def test_change_page_links_to_a_staff_preview(admin_client):
    article = make_article(published=False)

    html = admin_client.get(reverse("admin:education_article_change", args=[article.pk])).content.decode()

    assert f'href="{article.get_absolute_url()}"' in html
    assert "Preview (staff only)" in html


def test_editors_may_write_articles_and_nothing_else(client):
    seed.run()
    editor = make_staff(username="writer")
    editor.groups.add(Group.objects.get(name=seed.EDITORS_GROUP))
    permissions = {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.filter(group__user=editor)
    }

    assert permissions == {
        f"education.{action}_{model}"
        for action in ("add", "change", "view", "delete")
        for model in ("article", "topic", "reference", "contributor")
    }
    staff_login(client, editor)
    assert client.get(CHANGELIST).status_code == 200


def test_a_slug_that_would_hide_another_page_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:education_article_add"), _form_data(status="draft", slug="feed")
    )

    assert "“feed” is taken by another page; please choose another." in visible_text(
        response.content.decode()
    )
    assert not Article.objects.exists()


def test_saving_tells_the_editor_what_the_sanitizer_removed(admin_client):
    body = (
        '## Hello\n\n<script>alert(1)</script>\n\n<p onclick="alert(1)" style="color:red">Hi</p>\n\n'
        '[click](javascript:alert(1))\n\n<iframe src="https://evil.example/"></iframe>'
    )

    response = admin_client.post(
        reverse("admin:education_article_add"), _form_data(status="draft", body_markdown=body), follow=True
    )

    text = visible_text(response.content.decode())
    assert "some of the body is not allowed on article pages and was removed" in text
    for removed in (
        "a script (<script>)",
        "an event handler (onclick)",
        "style attributes",
        "a javascript: link",
        "an embedded page (<iframe>)",
    ):
        assert removed in text
    article = Article.objects.get(slug="a-new-article")
    assert "<script" not in article.body_html and "alert" not in article.body_html


def test_saving_a_clean_body_says_nothing_was_removed(admin_client):
    response = admin_client.post(
        reverse("admin:education_article_add"), _form_data(status="draft"), follow=True
    )

    assert "was removed" not in visible_text(response.content.decode())
    assert Article.objects.filter(slug="a-new-article").exists()


def test_an_image_without_a_description_is_refused_and_nothing_is_saved(admin_client):
    response = admin_client.post(
        reverse("admin:education_article_add"),
        _form_data(status="draft", body_markdown="## Look\n\n![](/static/img/tablet.png)"),
    )

    assert response.status_code == 200
    assert "Every image needs a short description for readers who cannot see it" in visible_text(
        response.content.decode()
    )
    assert not Article.objects.exists()


def test_the_slug_help_shows_the_address_pattern(admin_client):
    text = visible_text(admin_client.get(reverse("admin:education_article_add")).content.decode())

    assert "The page's address: /articles/<slug>/ (lowercase letters, numbers and hyphens)." in text
