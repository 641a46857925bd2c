"""Patient-education articles: what staff write in admin and the public reads.

Author and medical reviewer are `Contributor` rows, not user accounts: the reviewer's name and
credentials are shown publicly (and in structured data), may belong to someone with no login, and
must not change when a staff account is renamed or removed. A login is private; a byline is public.
"""

import datetime
import hashlib

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from education import readability
from education.markdown import plain_text, render_markdown

REVIEW_INTERVAL = datetime.timedelta(days=365)
SEARCH_CONFIG = "english"
# PostgreSQL's text search configuration for each language an article is written in.
SEARCH_CONFIGS = {"en": "english", "es": "spanish"}
ENGLISH = "en"
# /articles/feed/ and /articles/topic/... are pages of their own, not articles.
RESERVED_SLUGS = frozenset({"feed", "topic"})
IMAGE_WITHOUT_ALT = (
    "Every image needs a short description for readers who cannot see it: write it between the "
    "brackets, like ![A naltrexone tablet](/static/img/tablet.png)."
)


def search_vector(config: str = SEARCH_CONFIG):
    """Title weighted over summary over body, in the article's language (`config`). On PostgreSQL
    it is stored in Article.search_document on every save, with a GIN index on that column
    (migration 0003), so a search reads the stored vectors instead of parsing every article's text
    again."""
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body_text", weight="C", config=config)
    )


class Contributor(models.Model):
    name = models.CharField(max_length=120, help_text="As shown to readers, e.g. “Dr. Panagopoulos”.")
    credentials = models.CharField(
        max_length=200, blank=True, help_text="e.g. “Double-board-certified addiction psychiatrist”."
    )
    is_organization = models.BooleanField(
        default=False, help_text="Tick for a team or the practice rather than one person."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


class Topic(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("education:topic", kwargs={"topic_slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self, *, now: datetime.datetime | None = None):
        """What the public may see: published, with a publish date-time that has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def for_listing(self):
        return (
            self.select_related("medical_reviewer")
            .prefetch_related("topics")
            .order_by("-publish_at", "-pk")
            .defer("body_markdown", "body_html", "body_text", "search_document")
        )

    def review_overdue(self, *, today: datetime.date):
        return self.filter(next_review_due__lt=today)

    def in_language(self, language: str):
        return self.filter(language=language)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    # A translation is an article of its own (its own address, text, reviewer and review date),
    # linked to the English article it translates.
    language = models.CharField(
        max_length=5,
        choices=settings.LANGUAGES,
        default=ENGLISH,
        help_text="The language the article is written in. Readers of that language see it.",
    )
    translation_of = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translation",
        limit_choices_to={"language": ENGLISH},
        verbose_name="translation of",
        help_text="For an article in Spanish: the English article it translates.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        # Django shows help text as HTML, so the angle brackets are written as entities.
        help_text="The page's address: /articles/&lt;slug&gt;/ (lowercase letters, numbers and hyphens).",
    )
    summary = models.CharField(
        max_length=300,
        help_text="One or two plain sentences. Shown in lists and used as the page's meta description.",
    )
    body_markdown = models.TextField(
        "body",
        help_text="Markdown. Start each section (or each question, for Q&A) with “## ”: "
        "those headings make the table of contents.",
    )
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
    author = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="articles_written")
    medical_reviewer = models.ForeignKey(
        Contributor,
        on_delete=models.PROTECT,
        related_name="articles_reviewed",
        null=True,
        blank=True,
        help_text="The clinician who checked the medical content. Required to publish.",
    )
    last_reviewed = models.DateField(null=True, blank=True, help_text="Required to publish.")
    next_review_due = models.DateField(
        null=True, blank=True, help_text="Left empty, it is set to a year after the last review."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish date-time",
        null=True,
        blank=True,
        help_text="A future date-time schedules the article: nothing is public before it. "
        "Left empty when publishing, it means now.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    content_modified_at = models.DateTimeField(
        "content modified", editable=False, help_text="Moves only when the title, summary or body change."
    )
    related_articles = models.ManyToManyField("self", blank=True, symmetrical=False)
    show_booking_cta = models.BooleanField(
        "show the booking call-to-action",
        default=True,
        help_text="Invite readers to book the meet-and-greet.",
    )

    # Derived on save from body_markdown; never edited by hand, never computed per request.
    body_html = models.TextField(editable=False, default="")
    body_text = models.TextField(editable=False, default="")
    # PostgreSQL only (empty elsewhere): search_vector() as of the last save, GIN-indexed.
    search_document = SearchVectorField(null=True, editable=False)
    toc = models.JSONField("table of contents", editable=False, default=list)
    reading_grade = models.FloatField("reading level (US grade)", null=True, editable=False)
    # Fernández Huerta reading ease (0-100, higher is easier); Spanish articles only.
    reading_ease = models.FloatField("reading ease (Fernández Huerta)", null=True, editable=False)
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    # Set by `manage.py seed` to the fingerprint of the text it wrote; see education/seed.py.
    seed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_public_list_idx"),
            models.Index(fields=["next_review_due"], name="article_review_due_idx"),
        ]
        constraints = [
            # The publishing rule, kept by the database too: nothing is published unreviewed.
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(medical_reviewer__isnull=False, last_reviewed__isnull=False, publish_at__isnull=False),
                name="article_published_is_reviewed",
            ),
            # Translations point at the English article; an English article translates nothing.
            models.CheckConstraint(
                condition=Q(translation_of__isnull=True) | ~Q(language=ENGLISH),
                name="article_translation_is_not_english",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        now = timezone.now()
        if self._state.adding or getattr(self, "_loaded_fingerprint", None) != self.content_fingerprint():
            self.content_modified_at = now
        rendered = render_markdown(self.body_markdown)
        # What the sanitizer took out of this save's body, for the editor (not stored).
        self.removed_from_body = rendered.removed
        self.body_html = rendered.html
        self.toc = rendered.toc
        self.body_text = plain_text(rendered.html)
        measured = f"{self.summary}\n\n{self.body_text}"
        if self.language == ENGLISH:
            self.reading_grade, self.reading_ease = readability.flesch_kincaid_grade(measured), None
        else:
            self.reading_grade, self.reading_ease = None, readability.fernandez_huerta(measured)
        self.reading_minutes = readability.reading_minutes(self.body_text)
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = self.last_reviewed + REVIEW_INTERVAL
        never_public = self.first_published_at is None or self.first_published_at > now
        if self.status == self.Status.PUBLISHED:
            self.publish_at = self.publish_at or now
            if never_public:
                # Until the article has been public, its first publication is its publish time,
                # which an editor may bring forward: published early means published then.
                self.first_published_at = self.publish_at
        elif never_public:
            # Scheduled, then taken back to draft before its time: it was never published.
            self.first_published_at = None
        super().save(*args, **kwargs)
        if connection.vendor == "postgresql":
            config = SEARCH_CONFIGS.get(self.language, SEARCH_CONFIG)
            type(self).objects.filter(pk=self.pk).update(search_document=search_vector(config))
        self._loaded_fingerprint = self.content_fingerprint()

    def get_absolute_url(self):
        # Each article lives at the address of its own language (/articles/... or /es/articles/...).
        with translation.override(self.language):
            return reverse("education:article-detail", kwargs={"slug": self.slug})

    @property
    def other_language_version(self) -> "Article | None":
        """The same article in the other language, if there is one (public or not)."""
        if self.language != ENGLISH:
            return self.translation_of
        try:
            return self.translation
        except Article.DoesNotExist:
            return None

    @classmethod
    def from_db(cls, db, field_names, values):
        # Remember the text as loaded, so save() can tell whether it changed (Django's documented
        # from_db pattern; no extra query). Deferred loads (lists) cannot tell, and say so with None.
        instance = super().from_db(db, field_names, values)
        instance._loaded_fingerprint = (
            instance.content_fingerprint() if not instance.get_deferred_fields() else None
        )
        return instance

    def content_fingerprint(self) -> str:
        text = "\x1f".join([self.title, self.summary, self.body_markdown])
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def modified_at(self) -> datetime.datetime:
        """What readers, the sitemap and the feed see: never earlier than the first publication."""
        if self.first_published_at and self.first_published_at > self.content_modified_at:
            return self.first_published_at
        return self.content_modified_at

    @property
    def updated_after_review(self) -> datetime.datetime | None:
        """When the text last changed, if that was after its last medical review (and after it was
        first published): the page says "Updated" only then, so it never contradicts "Medically
        reviewed on". None when readers read the text as it was reviewed."""
        changed = self.content_modified_at
        if self.first_published_at and changed <= self.first_published_at:
            return None
        if self.last_reviewed and timezone.localdate(changed) <= self.last_reviewed:
            return None
        return changed

    def publish_problems(self) -> list[str]:
        """Why this article may not be published yet (empty when it may)."""
        problems = []
        if self.medical_reviewer_id is None:
            problems.append("it has no medical reviewer")
        if self.last_reviewed is None:
            problems.append("it has no last-reviewed date")
        return problems

    def clean(self):
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = f"“{self.slug}” is taken by another page; please choose another."
        if self.translation_of_id is not None:
            if self.language == ENGLISH:
                errors["translation_of"] = "An English article is not a translation: leave this empty."
            elif self.translation_of.language != ENGLISH:
                errors["translation_of"] = "Choose the English article this one translates."
        if render_markdown(self.body_markdown).images_without_alt:
            errors["body_markdown"] = IMAGE_WITHOUT_ALT
        if self.status == self.Status.PUBLISHED:
            if self.medical_reviewer_id is None:
                errors["medical_reviewer"] = "A medical reviewer is required to publish."
            if self.last_reviewed is None:
                errors["last_reviewed"] = "The last-reviewed date is required to publish."
        if errors:
            raise ValidationError(errors)
        if self.status == self.Status.PUBLISHED:
            # "Published" with no time means now (and satisfies the constraint checked after clean()).
            self.publish_at = self.publish_at or timezone.now()


class Reference(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveSmallIntegerField(default=0)
    citation = models.TextField(help_text="Authors, title, publisher or journal, year.")
    url = models.URLField("URL", blank=True, max_length=500)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.citation[:80]
