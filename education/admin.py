"""Authoring in admin. Publishing goes through education.services, the same rule everywhere."""

from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.audit import AuditedAdminMixin, record
from clinic.models import AuditEvent
from education import readability
from education.models import ENGLISH, Article, Contributor, Reference, Topic
from education.services import ArticleNotPublishable, article_publish, article_unpublish

SANITIZER_WARNING = (
    "Saved, but some of the body is not allowed on article pages and was removed from what "
    "readers see (your text in the body field is unchanged). Removed:"
)
GRADE_WARNING = (
    "Reading level is grade {grade}, above the grade {target} the clinic aims for: "
    "try shorter sentences and everyday words."
)
EASE_WARNING = (
    "Spanish reading ease (Fernández Huerta) is {ease}, below the {target} the clinic aims for: "
    "try shorter sentences and everyday words."
)


# What a change did to what readers see, as the audit trail's detail ("publish", ...).
PUBLISHING_DETAIL = {"public": "publish", "scheduled": "schedule", "draft": "unpublish"}
PUBLISHING_FIELDS = ["status", "publish_at"]


def _readers_see(status, publish_at) -> str:
    if status != Article.Status.PUBLISHED:
        return "draft"
    return "public" if publish_at is None or publish_at <= timezone.now() else "scheduled"


def _record_publishing(request, article: Article, *, before: str) -> None:
    """An audit event when the article went public, was scheduled or went back to draft."""
    after = _readers_see(article.status, article.publish_at)
    if after != before:
        record(
            request,
            AuditEvent.Action.ACTION,
            obj=article,
            fields=PUBLISHING_FIELDS,
            detail=PUBLISHING_DETAIL[after],
        )


class ReviewOverdueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Review overdue"), ("current", "Review up to date")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.review_overdue(today=today)
        if self.value() == "current":
            return queryset.exclude(pk__in=queryset.review_overdue(today=today).values("pk"))
        return queryset


class TranslationFilter(admin.SimpleListFilter):
    """Which English articles have no Spanish version yet (and which do)."""

    title = "translation"
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [("missing", "English, not yet translated"), ("translated", "English, translated")]

    def queryset(self, request, queryset):
        english = queryset.filter(language=ENGLISH)
        if self.value() == "missing":
            return english.filter(translation__isnull=True)
        if self.value() == "translated":
            return english.filter(translation__isnull=False)
        return queryset


def _score(article: Article) -> str:
    if article.language == ENGLISH:
        return "–" if article.reading_grade is None else f"Grade {article.reading_grade}"
    if article.reading_ease is None:
        return "–"
    return f"Fernández Huerta {article.reading_ease} ({readability.spanish_ease_label(article.reading_ease)})"


class ReferenceFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this reference"


class ReferenceInline(admin.TabularInline):
    model = Reference
    formset = ReferenceFormSet
    extra = 1
    fields = ["position", "citation", "url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A table row's inputs are labelled by the column heading on screen only; name them for
        # assistive technology with the same words (WCAG 1.3.1, 2.5.3).
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name in self.fields:
            formfield.widget.attrs.setdefault("aria-label", f"Reference {db_field.verbose_name}")
        return formfield


@admin.register(Article)
class ArticleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Editors' adds, edits and deletes are in the audit trail (field names only), and so is every
    change of what readers see: publish, schedule, unpublish (from the form or the list actions)."""

    prepopulated_fields = {"slug": ["title"]}
    list_display = [
        "title",
        "language",
        "translation_status",
        "status_for_readers",
        "topic_names",
        "medical_reviewer",
        "last_reviewed",
        "next_review_due",
        "reading_level",
        "preview_link",
    ]
    list_filter = ["status", "language", TranslationFilter, ReviewOverdueFilter, "topics", "medical_reviewer"]
    search_fields = ["title", "summary", "slug"]
    date_hierarchy = "publish_at"
    filter_horizontal = ["topics"]
    autocomplete_fields = ["related_articles"]
    inlines = [ReferenceInline]
    actions = ["publish_selected", "unpublish_selected"]
    readonly_fields = [
        "reading_level",
        "reading_minutes",
        "first_published_at",
        "content_modified_at",
        "preview_link",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body_markdown", "topics"]}),
        (
            "Language",
            {
                "fields": ["language", "translation_of"],
                "description": "A Spanish article is its own article, with its own address, reviewer "
                "and review date; link it to the English article it translates.",
            },
        ),
        ("Review", {"fields": ["author", "medical_reviewer", "last_reviewed", "next_review_due"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "publish_at",
                    "preview_link",
                    "first_published_at",
                    "content_modified_at",
                ],
                "description": "A published article with a future publish date-time is scheduled: "
                "it becomes public at that time. Publishing needs a medical reviewer and a review date.",
            },
        ),
        ("Readability", {"fields": ["reading_level", "reading_minutes"]}),
        ("On the page", {"fields": ["related_articles", "show_booking_cta"]}),
    ]

    class Media:
        # Names the topics picker's filter icons and the related-articles search box.
        js = ["clinic/admin/a11y.js"]

    def save_formset(self, request, form, formset, change):
        # Inline rows (the references) are records of their own in the trail, as if edited on their own page.
        deleted_ids = [f.instance.pk for f in formset.deleted_forms if f.instance.pk is not None]
        super().save_formset(request, form, formset, change)
        label = formset.model._meta.label_lower
        for reference in formset.new_objects:
            record(request, AuditEvent.Action.ADD, obj=reference, fields=list(formset.form.base_fields))
        for reference, changed in formset.changed_objects:
            record(request, AuditEvent.Action.CHANGE, obj=reference, fields=changed)
        for pk in deleted_ids:
            record(request, AuditEvent.Action.DELETE, object_type=label, object_id=pk)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "publish_at":
            # Django shows "Date:" and "Time:" beside the two inputs but labels neither.
            date_input, time_input = formfield.widget.widgets
            date_input.attrs["aria-label"] = "Publish date"
            time_input.attrs["aria-label"] = "Publish time"
        return formfield

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("medical_reviewer", "translation", "translation_of")
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("name")))
            .defer("body_markdown", "body_html", "body_text")
        )

    @admin.display(description="status")
    def status_for_readers(self, article):
        if article.status == Article.Status.DRAFT:
            return "Draft"
        if article.is_public:
            return "Published"
        return format_html(
            "Scheduled for {}", timezone.localtime(article.publish_at).strftime("%Y-%m-%d %H:%M %Z")
        )

    @admin.display(description="topics")
    def topic_names(self, article):
        return ", ".join(topic.name for topic in article.topics.all())

    @admin.display(description="translation")
    def translation_status(self, article):
        other = article.other_language_version
        if other is not None:
            return format_html("{}: {}", other.get_language_display(), other.title)
        if article.language == ENGLISH:
            return format_html('<strong class="errornote">{}</strong>', "⚠ No Spanish version")
        return "–"

    @admin.display(description="reading level", ordering="reading_grade")
    def reading_level(self, article):
        """The article's score, and beside it its other language's: Flesch-Kincaid grade for English,
        Fernández Huerta reading ease (0-100, higher is easier) for Spanish."""
        own = self._own_reading_level(article)
        other = article.other_language_version if article.pk else None
        if other is None:
            return own
        return format_html("{} · {} version: {}", own, other.get_language_display(), _score(other))

    def _own_reading_level(self, article):
        if article.language != ENGLISH:
            if article.reading_ease is not None and article.reading_ease < readability.SPANISH_EASE_TARGET:
                return format_html('<strong class="errornote">⚠ {} (aim for {} or above)</strong>',
                                   _score(article), readability.SPANISH_EASE_TARGET)  # fmt: skip
            return _score(article)
        if article.reading_grade is None:
            return "–"
        if article.reading_grade > readability.GRADE_TARGET:
            return format_html('<strong class="errornote">⚠ Grade {} (aim for {} or below)</strong>',
                               article.reading_grade, readability.GRADE_TARGET)  # fmt: skip
        return f"Grade {article.reading_grade}"

    @admin.display(description="preview")
    def preview_link(self, article):
        if not article.pk:
            return "Save first, then preview."
        label = "View on site" if article.is_public else "Preview (staff only)"
        label += " (opens in a new tab)"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', article.get_absolute_url(), label
        )

    def save_model(self, request, obj, form, change):
        before = _readers_see(form.initial.get("status"), form.initial.get("publish_at"))
        super().save_model(request, obj, form, change)
        _record_publishing(request, obj, before=before)
        if obj.removed_from_body:
            messages.warning(
                request,
                format_html(
                    "{}<ul>{}</ul>",
                    SANITIZER_WARNING,
                    format_html_join("", "<li>{}</li>", ((what,) for what in obj.removed_from_body)),
                ),
            )
        if obj.reading_grade is not None and obj.reading_grade > readability.GRADE_TARGET:
            messages.warning(
                request, GRADE_WARNING.format(grade=obj.reading_grade, target=readability.GRADE_TARGET)
            )
        if obj.reading_ease is not None and obj.reading_ease < readability.SPANISH_EASE_TARGET:
            messages.warning(
                request, EASE_WARNING.format(ease=obj.reading_ease, target=readability.SPANISH_EASE_TARGET)
            )

    @admin.action(description="Publish selected articles now (scheduled ones keep their time)")
    def publish_selected(self, request, queryset):
        published, refused = 0, []
        # Fresh rows with every field (the list's queryset defers the body, which the save renders).
        for article in Article.objects.filter(pk__in=queryset.values("pk")):
            before = _readers_see(article.status, article.publish_at)
            try:
                with transaction.atomic():
                    article_publish(article=article)
                    _record_publishing(request, article, before=before)
            except ArticleNotPublishable as refusal:
                refused.append(str(refusal))
            else:
                published += 1
        if published:
            messages.success(request, f"Published {published} article{'s' if published != 1 else ''}.")
        if refused:
            messages.error(
                request,
                format_html(
                    "Not published (add a medical reviewer and a last-reviewed date first):<ul>{}</ul>",
                    format_html_join("", "<li>{}</li>", ((reason,) for reason in refused)),
                ),
            )

    @admin.action(description="Unpublish selected articles (back to draft)")
    def unpublish_selected(self, request, queryset):
        count = 0
        for article in Article.objects.filter(pk__in=queryset.values("pk")):
            before = _readers_see(article.status, article.publish_at)
            with transaction.atomic():
                article_unpublish(article=article)
                _record_publishing(request, article, before=before)
            count += 1
        messages.success(
            request, f"Unpublished {count} article{'s' if count != 1 else ''}; they are drafts now."
        )


@admin.register(Topic)
class TopicAdmin(AuditedAdminMixin, admin.ModelAdmin):
    prepopulated_fields = {"slug": ["name"]}
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Contributor)
class ContributorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "credentials", "is_organization"]
    search_fields = ["name", "credentials"]
