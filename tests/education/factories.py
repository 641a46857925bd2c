"""Small helpers that make education rows for tests."""

import datetime
import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from education.models import Article, Contributor, Reference, Topic

_numbers = itertools.count(1)

NALTREXONE_SLUG = "naltrexone-for-opioid-addiction"


def make_contributor(**fields) -> Contributor:
    fields.setdefault("name", f"Dr. Reviewer {next(_numbers)}")
    fields.setdefault("credentials", "addiction psychiatrist")
    return Contributor.objects.create(**fields)


def make_topic(**fields) -> Topic:
    n = next(_numbers)
    fields.setdefault("name", f"Topic {n}")
    fields.setdefault("slug", f"topic-{n}")
    return Topic.objects.create(**fields)


def make_article(*, published: bool = True, topics=(), references=(), **fields) -> Article:
    """A reviewed article; published now unless told otherwise (`published=False` makes a draft)."""
    n = next(_numbers)
    fields.setdefault("title", f"Article number {n}")
    fields.setdefault("slug", f"article-{n}")
    fields.setdefault("summary", f"Summary of article {n}.")
    fields.setdefault(
        "body_markdown", f"## First question {n}\n\nA plain answer.\n\n## Second question\n\nMore."
    )
    if "author" not in fields:
        fields["author"] = make_contributor(name=f"Writer {n}")
    if "medical_reviewer" not in fields:
        fields["medical_reviewer"] = make_contributor(name=f"Dr. Checker {n}")
    fields.setdefault("last_reviewed", datetime.date(2026, 1, 15))
    if published:
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("publish_at", timezone.now() - datetime.timedelta(days=1))
    article = Article.objects.create(**fields)
    if topics:
        article.topics.set(topics)
    for position, (citation, url) in enumerate(references):
        Reference.objects.create(article=article, position=position, citation=citation, url=url)
    return article


def make_staff(*, superuser: bool = False, username: str = "editor") -> User:
    user = User.objects.create_user(username=username, password="a-long-test-password", is_staff=True)
    if superuser:
        user.is_superuser = True
        user.save()
    return user
