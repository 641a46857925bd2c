"""What `manage.py seed` creates for the education app. Returns lines to report. Idempotent.

The articles ship as Markdown in education/content/ (the naltrexone article in English, and its
Spanish translation, which names the English article's slug in `translation_of`). The seed creates
and publishes each once, the English ones first so that a translation finds its English article.
Later runs update it from the file only while nobody has edited it in admin: the article keeps the
fingerprint of the text the seed last wrote (`seed_fingerprint`); when its title, summary or body no
longer match that fingerprint, staff have edited it, and the seed leaves it alone from then on.
Status is never changed after creation, so an article staff unpublished stays unpublished.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group, Permission

from clinic import practice
from education.models import ENGLISH, Article, Contributor, Reference, Topic
from education.services import article_publish

CONTENT_DIR = Path(__file__).resolve().parent / "content"
EDITORS_GROUP = "Editors"
EDUCATION_MODELS = [Article, Topic, Reference, Contributor]

TOPICS = {
    "opioid-use-disorder": (
        "Opioid use disorder",
        "Opioid addiction and its treatment: medication, therapy and what recovery looks like.",
    ),
    # The Spanish articles' topic: a topic's name is shown on the pages of its articles' language.
    "trastorno-por-consumo-de-opioides": (
        "Trastorno por consumo de opioides",
        "La adicción a los opioides y su tratamiento: medicamentos, terapia y cómo es la recuperación.",
    ),
}
# The doctor writes and reviews the articles: a byline names a person, not the practice.
CONTRIBUTORS = {
    practice.DOCTOR_NAME: {"credentials": practice.DOCTOR_TITLE.lower(), "is_organization": False},
}


@dataclass(frozen=True)
class ArticleSource:
    title: str
    slug: str
    summary: str
    body: str
    topics: list[str]
    author: str
    reviewer: str
    last_reviewed: datetime.date
    language: str = ENGLISH
    translation_of: str = ""  # the English article's slug, for a translation
    # The byline's credentials in the article's language (a translation's byline is in its language).
    credentials: str = ""


def read_article_source(path: Path) -> ArticleSource:
    """A header of `key: value` lines, a line `---`, then the Markdown body."""
    header, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    meta = dict(line.split(":", 1) for line in header.strip().splitlines())
    meta = {key.strip(): value.strip() for key, value in meta.items()}
    return ArticleSource(
        title=meta["title"],
        slug=meta["slug"],
        summary=meta["summary"],
        body=body.strip() + "\n",
        topics=[slug.strip() for slug in meta["topics"].split(",")],
        author=meta["author"],
        reviewer=meta["reviewer"],
        last_reviewed=datetime.date.fromisoformat(meta["last_reviewed"]),
        language=meta.get("language", ENGLISH),
        translation_of=meta.get("translation_of", ""),
        credentials=meta.get("credentials", ""),
    )


def _editors_group() -> str:
    group, created = Group.objects.get_or_create(name=EDITORS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="education",
        content_type__model__in=[model._meta.model_name for model in EDUCATION_MODELS],
        codename__regex=r"^(add|change|view|delete)_",
    )
    group.permissions.set(permissions)
    verb = "Created" if created else "Checked"
    return f"{verb} the {EDITORS_GROUP} group ({permissions.count()} permissions)."


def _contributor(name: str, *, credentials: str = "") -> Contributor:
    """The contributor of that name: the first made (the English byline), or the one with these
    credentials (a translation's byline, e.g. the doctor's title in Spanish), made when missing."""
    if credentials:
        contributor, _created = Contributor.objects.get_or_create(
            name=name, credentials=credentials, defaults={"is_organization": False}
        )
        return contributor
    return Contributor.objects.filter(name=name).order_by("pk").first()


def _seed_article(source: ArticleSource) -> str:
    for slug, (name, description) in TOPICS.items():
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for name, fields in CONTRIBUTORS.items():
        if not Contributor.objects.filter(name=name).exists():
            Contributor.objects.create(name=name, **fields)

    article = Article.objects.filter(slug=source.slug).first()
    if article is None:
        article = Article(
            language=source.language,
            translation_of=Article.objects.filter(slug=source.translation_of, language=ENGLISH).first()
            if source.translation_of
            else None,
            slug=source.slug,
            title=source.title,
            summary=source.summary,
            body_markdown=source.body,
            author=_contributor(source.author, credentials=source.credentials),
            medical_reviewer=_contributor(source.reviewer, credentials=source.credentials),
            last_reviewed=source.last_reviewed,
        )
        article.seed_fingerprint = article.content_fingerprint()
        article.save()
        article.topics.set(Topic.objects.filter(slug__in=source.topics))
        article_publish(article=article)
        return f"Created and published the article “{article.title}”."
    if article.content_fingerprint() != article.seed_fingerprint:
        return f"Left “{article.title}” as it is: it was edited in admin."
    lines = []
    author = _contributor(source.author, credentials=source.credentials)
    if article.author.is_organization and not author.is_organization:
        # Seeded before the byline named the doctor (it named the practice): a person wrote it.
        article.author = author
        lines.append(f"The article “{article.title}” is now signed by {author.name}.")
    article.title, article.summary, article.body_markdown = source.title, source.summary, source.body
    fingerprint = article.content_fingerprint()
    if fingerprint != article.seed_fingerprint:
        article.seed_fingerprint = fingerprint
        lines.append(f"Updated the article “{article.title}” from {CONTENT_DIR.name}/{source.slug}.md.")
    if not lines:
        return f"The article “{article.title}” is up to date."
    article.save()
    return " ".join(lines)


def run() -> list[str]:
    lines = [_editors_group()]
    sources = [read_article_source(path) for path in sorted(CONTENT_DIR.glob("*.md"))]
    for source in sorted(sources, key=lambda source: bool(source.translation_of)):
        lines.append(_seed_article(source))
    return lines
