"""schema.org JSON-LD for an article page: one @graph with the page, the article and the practice."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from clinic import practice
from education.models import Article, Contributor

# The language of an article, as schema.org's inLanguage names it (readers in the United States).
LANGUAGE_TAGS = {"en": "en-US", "es": "es-US"}
# Inside <script>, "</script>" or "<!--" in a title would end the block: escape what HTML reads.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _who(contributor: Contributor | None) -> dict | None:
    if contributor is None:
        return None
    thing = {"@type": "Organization" if contributor.is_organization else "Person", "name": contributor.name}
    if contributor.credentials and not contributor.is_organization:
        thing["jobTitle"] = contributor.credentials
    return thing


def article_graph(article: Article, *, page_url: str, site_url: str) -> dict:
    clinic_id = f"{site_url}/#clinic"
    article_id = f"{page_url}#article"
    webpage = {
        "@type": "MedicalWebPage",
        "@id": f"{page_url}#webpage",
        "url": page_url,
        "name": article.title,
        "description": article.summary,
        "inLanguage": LANGUAGE_TAGS.get(article.language, "en-US"),
        "lastReviewed": article.last_reviewed,
        "reviewedBy": _who(article.medical_reviewer),
        "about": [{"@type": "Thing", "name": topic.name} for topic in article.topics.all()],
        "medicalAudience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "specialty": "https://schema.org/Psychiatric",
        "mainEntity": {"@id": article_id},
        "publisher": {"@id": clinic_id},
    }
    article_node = {
        "@type": "Article",
        "@id": article_id,
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.first_published_at,
        "dateModified": article.modified_at,
        "author": _who(article.author),
        "publisher": {"@id": clinic_id},
        "mainEntityOfPage": {"@id": f"{page_url}#webpage"},
    }
    clinic = {
        "@type": "MedicalClinic",
        "@id": clinic_id,
        "name": practice.PRACTICE_NAME,
        "url": f"{site_url}/",
        "medicalSpecialty": "https://schema.org/Psychiatric",
        "description": gettext(
            "%(doctor)s, double-board-certified addiction psychiatrist: telehealth for people who live in "
            "%(states)s."
        )
        % {"doctor": practice.DOCTOR_NAME, "states": practice.STATES_SERVED_TEXT},
    }
    graph = [
        {k: v for k, v in node.items() if v not in (None, [])} for node in (webpage, article_node, clinic)
    ]
    return {"@context": "https://schema.org", "@graph": graph}


def to_script_json(data: dict) -> SafeString:
    """JSON safe to place between <script type="application/ld+json"> tags."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308
