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
        "language": "en",
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


def _events(**filters):
    from clinic.models import AuditEvent

    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("pk")
        .values_list("username", "action", "object_type", "detail", "fields")
    )


def _change_data(article, **overrides):
    """The change form as the editor sends it back for `article`, with `overrides` typed in."""
    data = {
        "slug": article.slug,
        "status": article.status,
        "title": article.title,
        "summary": article.summary,
        "body_markdown": article.body_markdown,
        "author": article.author.pk,
        "medical_reviewer": article.medical_reviewer.pk,
        "last_reviewed": article.last_reviewed.isoformat(),
        "next_review_due": article.next_review_due.isoformat(),
    }
    data.update(overrides)
    return _form_data(**data)


def test_creating_an_article_is_audited_with_field_names_never_values(admin_client):
    from clinic.models import AuditEvent

    reviewer = make_contributor(name="Dr. Panagopoulos")
    admin_client.post(
        reverse("admin:education_article_add"),
        _form_data(medical_reviewer=reviewer.pk, last_reviewed="2026-05-01", title="Secret title words"),
    )

    article = Article.objects.get(slug="a-new-article")
    events = _events(object_type="education.article", object_id=str(article.pk))
    assert [(user, action, detail) for user, action, _, detail, _ in events] == [
        ("admin", "add", ""),
        ("admin", "action", "publish"),
    ]
    assert {"title", "body_markdown", "status"} <= set(events[0][4])
    stored = " ".join(str(value) for event in AuditEvent.objects.values() for value in event.values())
    assert "Secret title words" not in stored


def test_editing_an_article_records_only_the_fields_that_changed(admin_client):
    article = make_article(published=False, slug="a-new-article")
    data = _change_data(article, body_markdown="## A new body\n\nChanged.")

    admin_client.post(reverse("admin:education_article_change", args=[article.pk]), data)

    assert _events(object_type="education.article") == [
        ("admin", "change", "education.article", "", ["body_markdown"])
    ]


def test_publishing_a_scheduled_article_early_in_the_form_is_audited_as_a_publication(admin_client):
    import datetime as dt

    from django.utils import timezone

    article = make_article(status="published", publish_at=timezone.now() + dt.timedelta(days=1))
    # The editor empties the publish date-time: published now.
    data = _change_data(article)

    admin_client.post(reverse("admin:education_article_change", args=[article.pk]), data)

    events = _events(object_type="education.article")
    assert [(action, detail) for _, action, _, detail, _ in events] == [("change", ""), ("action", "publish")]
    assert "publish_at" in events[0][4]
    article.refresh_from_db()
    assert article.is_public


def test_the_publish_and_unpublish_actions_are_audited(admin_client):
    draft = make_article(published=False)
    public = make_article()

    admin_client.post(CHANGELIST, {"action": "publish_selected", "_selected_action": [draft.pk, public.pk]})
    admin_client.post(CHANGELIST, {"action": "unpublish_selected", "_selected_action": [draft.pk]})

    # The already-public article changed nothing readers see, so it has no event.
    assert _events(object_type="education.article") == [
        ("admin", "action", "education.article", "publish", ["publish_at", "status"]),
        ("admin", "action", "education.article", "unpublish", ["publish_at", "status"]),
    ]
    assert _events(object_id=str(public.pk)) == []


def test_references_added_in_the_article_form_are_audited(admin_client):
    article = make_article(published=False, slug="a-new-article")
    data = _change_data(
        article,
        **{
            "references-TOTAL_FORMS": "1",
            "references-0-position": "1",
            "references-0-citation": "A citation, 2024.",
            "references-0-url": "https://example.org/",
        },
    )

    admin_client.post(reverse("admin:education_article_change", args=[article.pk]), data)

    reference = article.references.get()
    assert _events(object_type="education.reference") == [
        ("admin", "add", "education.reference", "", ["citation", "position", "url"])
    ]
    assert _events(object_id=str(reference.pk), object_type="education.reference")
    # The article's own fields did not change (the trail's admin mixin still notes the save).
    assert _events(object_type="education.article") == [("admin", "change", "education.article", "", [])]


def test_editors_changes_to_topics_and_contributors_are_audited(admin_client):
    admin_client.post(reverse("admin:education_topic_add"), {"name": "Alcohol", "slug": "alcohol"})
    admin_client.post(reverse("admin:education_contributor_add"), {"name": "Dr. New", "credentials": ""})

    assert [(action, object_type) for _, action, object_type, _, _ in _events()] == [
        ("add", "education.topic"),
        ("add", "education.contributor"),
    ]
