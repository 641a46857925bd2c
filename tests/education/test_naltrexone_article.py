"""The naltrexone article as the seed ships it: the label's overdose warning and the invitation."""

import shutil

import pytest

from education import seed
from education.models import Article
from tests.education.factories import NALTREXONE_SLUG
from tests.html import visible_text

pytestmark = pytest.mark.django_db

SECTION = "Can I drink or use other drugs while taking naltrexone?"


def section_text(article: Article, heading: str) -> str:
    text = visible_text(article.body_html)
    after = text.split(heading, 1)[1]
    next_headings = [entry["title"] for entry in article.toc if entry["title"] in after]
    return after.split(next_headings[0], 1)[0] if next_headings else after


def test_the_section_on_other_substances_carries_the_overdose_warning_in_plain_words():
    seed.run()
    article = Article.objects.get(slug=NALTREXONE_SLUG)

    warning = section_text(article, SECTION)

    assert (
        "After you stop taking naltrexone, near the end of the month after a shot, or after you miss a dose"
        in (warning)
    )
    assert "your body is more sensitive to opioids than it was before" in warning
    assert "An amount of opioids you used to take can then cause an overdose that kills you." in warning
    assert (
        "Trying to overcome the block by taking large amounts of opioids is also very dangerous." in warning
    )
    assert article.reading_grade <= 8


def test_the_article_ends_inviting_the_reader_to_contact_the_practice():
    seed.run()
    article = Article.objects.get(slug=NALTREXONE_SLUG)

    assert (
        visible_text(article.body_html)
        .rstrip()
        .endswith("Feel free to contact us to schedule your complimentary meet-and-greet.")
    )
    assert '<a href="/contact/" rel="noopener noreferrer">contact us</a>' in article.body_html


def test_an_install_seeded_before_the_warning_gets_it_from_the_next_seed(tmp_path, monkeypatch):
    """Existing installs: the article's text still matches the fingerprint of what the seed wrote,
    so the next `manage.py seed` takes the new file."""
    source = seed.CONTENT_DIR / f"{NALTREXONE_SLUG}.md"
    old = tmp_path / source.name
    shutil.copy(source, old)
    without_warning = "\n\n".join(
        paragraph
        for paragraph in old.read_text().split("\n\n")
        if "overdose" not in paragraph and "overcome the block" not in paragraph
    )
    old.write_text(without_warning)
    monkeypatch.setattr(seed, "CONTENT_DIR", tmp_path)
    seed.run()
    assert "overcome the block" not in Article.objects.get(slug=NALTREXONE_SLUG).body_markdown

    monkeypatch.setattr(seed, "CONTENT_DIR", source.parent)
    lines = seed.run()

    article = Article.objects.get(slug=NALTREXONE_SLUG)
    assert "overcome the block" in section_text(article, SECTION)
    assert f"Updated the article “{article.title}” from content/{NALTREXONE_SLUG}.md." in lines
