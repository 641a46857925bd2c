"""Article Markdown -> sanitized HTML and a table of contents. Run once, on save; never per request.

python-markdown does the formatting (with the `toc` extension giving every heading an id), then
nh3 removes everything not on a short allow-list: scripts, event handlers, `javascript:` links,
iframes, styles. Authors are trusted staff, but a pasted snippet must never reach a reader as code.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

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


URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class Rendered:
    html: str
    # The `##` headings, in order: [{"id": ..., "title": ...}] (plain text titles, not HTML).
    toc: list[dict[str, str]]
    # What the sanitizer took out, in an editor's words, each said once, in order of appearance.
    removed: tuple[str, ...] = ()
    # Images with no text alternative (no alt, or an empty one): readers of a screen reader miss them.
    images_without_alt: int = 0


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
    url_schemes=URL_SCHEMES,
)

# How the inspector names what nh3 removes; anything else is named by its tag or attribute.
_REMOVED_ELEMENTS = {
    "script": "a script (<script>)",
    "style": "a style sheet (<style>)",
    "iframe": "an embedded page (<iframe>)",
    "object": "an embedded object (<object>)",
    "embed": "an embedded object (<embed>)",
}
# Markdown's own table alignment (`|:--|`) comes out as a style; dropping it loses nothing the
# editor wrote as code, so it is not reported.
_TABLE_ALIGNMENT = re.compile(r"^\s*text-align:\s*(left|right|center);?\s*$")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


class _Inspector(HTMLParser):
    """Reads the HTML before sanitizing and says what the allow-list will remove.

    nh3 does not report what it drops, so this walks the same HTML with the same lists."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.removed: dict[str, None] = {}  # ordered set
        self.images_without_alt = 0
        self._inside_removed = 0

    def _say(self, what: str) -> None:
        self.removed.setdefault(what, None)

    def handle_starttag(self, tag, attrs):
        if self._inside_removed:
            return
        if tag in REMOVED_WITH_CONTENT:
            self._say(_REMOVED_ELEMENTS.get(tag, f"a <{tag}> element with its content"))
            if tag not in ("script", "style"):  # their content is text to the parser anyway
                self._inside_removed += 1
            return
        if tag == "h1":
            self._say(
                "a level-1 heading (“# ”): the page has its own title, so sections start with “## ” "
                "(its text is kept)"
            )
        elif tag not in ALLOWED_TAGS:
            self._say(f"<{tag}> tags (their text is kept)")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set())
        values = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._say(f"an event handler ({name})")
            elif name == "style":
                if not (tag in ("th", "td") and _TABLE_ALIGNMENT.match(value)):
                    self._say("style attributes")
            elif name in ("href", "src") and (scheme := _SCHEME.match(value)):
                if scheme.group(1).lower() not in URL_SCHEMES:
                    self._say(f"a {scheme.group(1).lower()}: link")
                elif tag == "img" and name == "src":
                    self._say("an image from another site (images must be stored on this site)")
            elif tag in ALLOWED_TAGS and name not in allowed and name != "id":
                self._say(f"the {name} attribute")
        if tag == "img" and not (values.get("alt") or "").strip():
            self.images_without_alt += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in REMOVED_WITH_CONTENT and tag not in ("script", "style") and self._inside_removed:
            self._inside_removed -= 1

    def handle_endtag(self, tag):
        if tag in REMOVED_WITH_CONTENT and tag not in ("script", "style") and self._inside_removed:
            self._inside_removed -= 1


def _inspect(unsafe_html: str) -> _Inspector:
    inspector = _Inspector()
    inspector.feed(unsafe_html)
    inspector.close()
    return inspector


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
    inspector = _inspect(unsafe_html)
    return Rendered(
        html=safe_html,
        toc=toc,
        removed=tuple(inspector.removed),
        images_without_alt=inspector.images_without_alt,
    )


def _flatten(tokens):
    for token in tokens:
        yield token
        yield from _flatten(token["children"])


def plain_text(rendered_html: str) -> str:
    """The words of sanitized HTML, for reading-level statistics and search."""
    return html.unescape(re.sub(r"<[^>]+>", " ", rendered_html))
