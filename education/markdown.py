"""Article Markdown -> sanitized HTML and a table of contents. Run once, on save; never per request.

python-markdown does the formatting (with the `toc` extension giving every heading an id), then
nh3 removes everything not on a short allow-list: scripts, event handlers, `javascript:` links,
iframes, styles. Authors are trusted staff, but a pasted snippet must never reach a reader as code.
"""

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions.toc import slugify

# Ids the page itself uses: a heading must never take one (skip link target, page sections).
RESERVED_IDS = frozenset(
    {
        "main",
        "page-heading",
        "booking-cta-heading",
        "contents-heading",
        "references-heading",
        "related-heading",
    }
)
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code",
    "ul", "ol", "li", "dl", "dt", "dd", "strong", "em", "b", "i", "sub", "sup", "abbr",
    "a", "img", "table", "thead", "tbody", "tr", "th", "td", "caption",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"scope"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
# Tags removed with their content (nh3 otherwise keeps the text of a removed tag).
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}


@dataclass(frozen=True)
class Rendered:
    html: str
    # The `##` headings, in order: [{"id": ..., "title": ...}] (plain text titles, not HTML).
    toc: list[dict[str, str]]


def _heading_slug(value: str, separator: str) -> str:
    slug = slugify(value, separator)
    return f"{slug}-section" if slug in RESERVED_IDS else slug


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id" and (value in RESERVED_IDS or not _SAFE_ID.match(value)):
        return None
    if tag == "img" and name == "src" and not value.startswith("/"):
        # Images come from the site itself only (the CSP would block any other host anyway).
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=REMOVED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    url_schemes={"http", "https", "mailto", "tel"},
)


def render_markdown(text: str) -> Rendered:
    """Format `text` and sanitize the result; the table of contents lists the level-2 headings."""
    md = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists", "smarty"],
        extension_configs={"toc": {"slugify": _heading_slug}},
    )
    unsafe_html = md.convert(text or "")
    safe_html = _cleaner.clean(unsafe_html)
    kept_ids = set(re.findall(r'<h2 id="([^"]+)"', safe_html))
    toc = [
        # toc_tokens hold escaped text; keep plain text so templates escape it exactly once.
        {"id": token["id"], "title": html.unescape(token["name"])}
        for token in _flatten(md.toc_tokens)
        if token["level"] == 2 and token["id"] in kept_ids
    ]
    return Rendered(html=safe_html, toc=toc)


def _flatten(tokens):
    for token in tokens:
        yield token
        yield from _flatten(token["children"])


def plain_text(rendered_html: str) -> str:
    """The words of sanitized HTML, for reading-level statistics and search."""
    return html.unescape(re.sub(r"<[^>]+>", " ", rendered_html))
