"""The byline names the doctor; "Updated" appears only when the text changed after its last review;
<time datetime> values pass the Nu HTML checker (no microseconds)."""

import datetime
import re

import pytest
from django.utils import timezone

from education import seed
from education.models import Article
from tests.education.factories import NALTREXONE_SLUG, make_article, make_contributor
from tests.html import visible_text

pytestmark = pytest.mark.django_db

# A valid date, or a date and time with at most three digits of fractional seconds.
VALID_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def article_text(client, article) -> str:
    return visible_text(client.get(article.get_absolute_url()).content.decode())


def test_the_seeded_article_is_written_and_reviewed_by_the_doctor_and_not_marked_updated(client):
    seed.run()
    article = Article.objects.get(slug=NALTREXONE_SLUG)

    text = article_text(client, article)

    assert (
        "Written and medically reviewed by Dr. Panagopoulos (double-board-certified addiction psychiatrist)"
        in (text)
    )
    assert "Addiction Psychiatry" not in text.split("Written", 1)[1].split("min read")[0]
    assert "Updated" not in text
    assert not article.author.is_organization


def test_an_install_seeded_with_the_practice_as_author_is_signed_by_the_doctor_after_the_next_seed():
    seed.run()
    practice_author = make_contributor(name="Dr. Panagopoulos Addiction Psychiatry", is_organization=True)
    Article.objects.filter(slug=NALTREXONE_SLUG).update(author=practice_author)

    lines = seed.run()

    assert Article.objects.get(slug=NALTREXONE_SLUG).author.name == "Dr. Panagopoulos"
    assert any("is now signed by Dr. Panagopoulos" in line for line in lines)


def test_a_byline_chosen_in_admin_for_a_person_is_left_alone_by_the_seed():
    seed.run()
    writer = make_contributor(name="Jamie Writer")
    Article.objects.filter(slug=NALTREXONE_SLUG).update(author=writer)

    seed.run()

    assert Article.objects.get(slug=NALTREXONE_SLUG).author.name == "Jamie Writer"


def test_a_different_writer_and_reviewer_are_both_named(client):
    article = make_article(
        author=make_contributor(name="Jamie Writer"),
        medical_reviewer=make_contributor(name="Dr. Panagopoulos", credentials="addiction psychiatrist"),
        last_reviewed=datetime.date(2026, 2, 3),
    )

    assert (
        "Written by Jamie Writer · Medically reviewed by Dr. Panagopoulos (addiction psychiatrist) "
        "on February 3, 2026"
    ) in article_text(client, article)


def test_text_changed_after_its_last_review_says_updated_with_that_date(client):
    article = make_article(last_reviewed=timezone.localdate() - datetime.timedelta(days=10))
    article.body_markdown += "\n\nA new paragraph."
    article.save()

    text = article_text(client, article)

    assert (
        f"Updated {timezone.localdate():%B} {timezone.localdate().day}, {timezone.localdate().year}" in text
    )


def test_text_reviewed_the_day_it_changed_is_not_marked_updated(client):
    article = make_article(last_reviewed=timezone.localdate())
    article.body_markdown += "\n\nA new paragraph."
    article.save()

    assert "Updated" not in article_text(client, article)


def test_text_written_before_publication_is_not_marked_updated(client):
    article = make_article(published=False, last_reviewed=timezone.localdate() - datetime.timedelta(days=30))
    article.status = Article.Status.PUBLISHED
    article.publish_at = None
    article.save()

    assert "Updated" not in article_text(client, article)


def test_time_elements_carry_no_more_than_three_digits_of_fractional_seconds(client):
    article = make_article(last_reviewed=timezone.localdate() - datetime.timedelta(days=10))
    article.body_markdown += "\n\nA new paragraph."
    article.save()
    assert article.content_modified_at.microsecond  # the stored time has microseconds

    html = client.get(article.get_absolute_url()).content.decode()
    values = re.findall(r'<time datetime="([^"]*)"', html)

    assert len(values) >= 3  # reviewed, next review, updated
    for value in values:
        assert VALID_DATETIME.match(value), value
