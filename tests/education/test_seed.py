import shutil

import pytest
from django.contrib.auth.models import Group

from education import seed
from education.models import Article
from tests.education.factories import NALTREXONE_SLUG
from tests.html import visible_text

pytestmark = pytest.mark.django_db


def test_seed_publishes_the_naltrexone_article_reviewed_by_the_doctor_and_it_is_listed(client):
    seed.run()

    article = Article.objects.get(slug=NALTREXONE_SLUG)
    assert article.is_public
    assert article.medical_reviewer.name == "Dr. Panagopoulos"
    assert [topic.name for topic in article.topics.all()] == ["Opioid use disorder"]
    text = visible_text(client.get("/articles/").content.decode())
    assert "Naltrexone for opioid addiction" in text


def test_the_first_article_is_questions_and_answers_in_plain_language():
    seed.run()

    article = Article.objects.get(slug=NALTREXONE_SLUG)
    assert len(article.toc) >= 8
    assert all(entry["title"].endswith("?") for entry in article.toc)
    assert article.reading_grade <= 8


@pytest.mark.parametrize("word", ["injection", "alcohol", "withdrawal", "psychotherapy"])
def test_search_finds_the_naltrexone_article(client, word):
    seed.run()

    text = visible_text(client.get("/articles/", {"q": word}).content.decode())

    assert "1 article found" in text
    assert "Naltrexone for opioid addiction" in text


def test_seed_is_idempotent():
    first = seed.run()
    before = Article.objects.get(slug=NALTREXONE_SLUG)

    second = seed.run()

    after = Article.objects.get(slug=NALTREXONE_SLUG)
    # The naltrexone article and its Spanish translation, once each.
    assert Article.objects.count() == 2
    assert Group.objects.filter(name="Editors").count() == 1
    assert after.content_modified_at == before.content_modified_at
    assert "Created and published the article “Naltrexone for opioid addiction”." in first
    assert "The article “Naltrexone for opioid addiction” is up to date." in second


def test_seed_never_overwrites_edits_made_in_admin():
    seed.run()
    article = Article.objects.get(slug=NALTREXONE_SLUG)
    article.body_markdown += "\n\nA paragraph the doctor added in admin."
    article.save()

    lines = seed.run()

    assert "A paragraph the doctor added in admin." in Article.objects.get(slug=NALTREXONE_SLUG).body_markdown
    assert "Left “Naltrexone for opioid addiction” as it is: it was edited in admin." in lines


def test_seed_updates_an_unedited_article_when_the_shipped_markdown_changes(tmp_path, monkeypatch):
    seed.run()
    source = seed.CONTENT_DIR / f"{NALTREXONE_SLUG}.md"
    changed = tmp_path / source.name
    shutil.copy(source, changed)
    changed.write_text(changed.read_text() + "\nA sentence added to the file.\n")
    monkeypatch.setattr(seed, "CONTENT_DIR", tmp_path)

    seed.run()

    assert "A sentence added to the file." in Article.objects.get(slug=NALTREXONE_SLUG).body_html


def test_seed_does_not_republish_an_article_staff_unpublished():
    from education.services import article_unpublish

    seed.run()
    article_unpublish(article=Article.objects.get(slug=NALTREXONE_SLUG))

    seed.run()

    assert Article.objects.get(slug=NALTREXONE_SLUG).status == Article.Status.DRAFT


def test_seed_command_runs_inside_manage_py(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed", stdout=out)
    call_command("seed", stdout=out)

    assert "Seed complete." in out.getvalue()
    assert Article.objects.filter(slug=NALTREXONE_SLUG).count() == 1
    assert client.get(f"/articles/{NALTREXONE_SLUG}/").status_code == 200


def test_make_run_steps_on_a_fresh_database_list_the_article(tmp_path):
    """What `make run` does before serving (migrate, seed, seed again), in real processes."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "DJANGO_DEBUG": "true"}

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    manage("migrate", "--noinput")
    assert "Created and published the article" in manage("seed")
    assert "is up to date" in manage("seed")
    page = manage(
        "shell",
        "-c",
        "from django.test import Client; "
        "print(Client().get('/articles/', HTTP_HOST='localhost').content.decode())",
    )
    assert "Naltrexone for opioid addiction" in visible_text(page)
