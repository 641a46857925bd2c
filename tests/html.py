"""Small helpers to read rendered HTML the way a browser or a screen reader would."""

from html.parser import HTMLParser

# Attributes through which a page makes the browser fetch something.
RESOURCE_ATTRIBUTES = {
    "script": "src",
    "img": "src",
    "iframe": "src",
    "audio": "src",
    "video": "src",
    "source": "src",
    "embed": "src",
    "object": "data",
    "form": "action",
}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.resources: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "link" and attrs.get("href"):
            self.resources.append(attrs["href"])
        elif tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag in RESOURCE_ATTRIBUTES and attrs.get(RESOURCE_ATTRIBUTES[tag]):
            self.resources.append(attrs[RESOURCE_ATTRIBUTES[tag]])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def visible_text(html: str) -> str:
    """The page's text with whitespace folded, as a reader sees it (scripts and styles left out)."""
    return " ".join("".join(parse(html).text).split())
