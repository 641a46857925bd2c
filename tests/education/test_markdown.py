from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from education.markdown import render_markdown

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src="/x.png" onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p onclick="alert(1)" style="color:red">hi</p>',
    '<svg onload="alert(1)"><circle/></svg>',
    "<object data='https://evil.example/x.swf'></object>",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>',
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_never_reaches_the_page_as_code(markdown):
    html = render_markdown(f"Before.\n\n{markdown}\n\nAfter.").html.lower()

    for dangerous in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<object",
        "style=",
        "data:",
    ):
        assert dangerous not in html
    assert "before." in html and "after." in html


def test_script_content_is_removed_not_shown_as_text():
    html = render_markdown("Hello <script>stealCookies()</script> world").html

    assert "stealCookies" not in html
    assert "Hello" in html and "world" in html


def test_headings_keep_their_anchors_and_the_contents_links_to_them():
    rendered = render_markdown(
        "Intro.\n\n## What is naltrexone?\n\nText.\n\n### A detail\n\n## Is it addictive?\n\nNo."
    )

    assert '<h2 id="what-is-naltrexone">What is naltrexone?</h2>' in rendered.html
    assert '<h2 id="is-it-addictive">Is it addictive?</h2>' in rendered.html
    assert rendered.toc == [
        {"id": "what-is-naltrexone", "title": "What is naltrexone?"},
        {"id": "is-it-addictive", "title": "Is it addictive?"},
    ]
    for entry in rendered.toc:
        assert f'id="{entry["id"]}"' in rendered.html


def test_contents_titles_are_plain_text_so_the_template_escapes_them_once():
    rendered = render_markdown("## Pills & shots: <b>which</b>?\n\nText.")

    assert rendered.toc[0]["title"] == "Pills & shots: which?"


def test_a_heading_cannot_take_an_id_the_page_itself_uses():
    rendered = render_markdown('## Main\n\nText.\n\n<h2 id="main">Raw</h2>')

    assert 'id="main"' not in rendered.html
    assert rendered.toc == [{"id": "main-section", "title": "Main"}]
    assert '<h2 id="main-section">Main</h2>' in rendered.html


def test_ordinary_formatting_and_safe_links_survive():
    html = render_markdown(
        "Some **bold**, *italic*, a [link](https://www.samhsa.gov/) "
        "and [mail](mailto:office@example.com).\n\n"
        "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    ).html

    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert 'href="https://www.samhsa.gov/"' in html
    assert 'href="mailto:office@example.com"' in html
    assert "<li>one</li>" in html
    assert "<table>" in html


def test_images_from_other_hosts_are_not_loaded():
    html = render_markdown("![tracker](https://evil.example/pixel.gif) ![ok](/static/img/a.png)").html

    assert "evil.example" not in html
    assert 'src="/static/img/a.png"' in html


class _ElementCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def _elements(html: str) -> list:
    collector = _ElementCollector()
    collector.feed(html)
    return collector.elements


# Pieces an attacker (or a careless paste) might combine; hypothesis shuffles them with plain text.
_PIECES = [
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "[x](javascript:alert(1))",
    "<iframe src=//evil.example>",
    '<div onmouseover="alert(1)">',
    "<svg/onload=alert(1)>",
    "<style>body{}</style>",
    "## Heading",
    "\n\n",
    "`code`",
    "<",
    ">",
    '"',
    "'",
    "=",
]


@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=25))
@settings(max_examples=300, deadline=None)
def test_no_combination_of_hostile_pieces_yields_script_or_event_handlers(pieces):
    html = render_markdown("".join(pieces)).html.lower()

    assert "<script" not in html
    assert "<iframe" not in html and "<svg" not in html and "<style" not in html
    # Judge the elements a browser would build, not the text: "href='javascript:" shown inside
    # <code> is harmless text, and only an attribute can run code.
    for tag, attrs in _elements(html):
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, html)
            if name in ("href", "src"):
                assert not (value or "").strip().startswith("javascript:"), (tag, value, html)


@pytest.mark.parametrize(
    ("markdown", "told"),
    [
        ("Hi <script>alert('x')</script>", "a script (<script>)"),
        ('<p onclick="alert(1)">hi</p>', "an event handler (onclick)"),
        ("[click me](javascript:alert(1))", "a javascript: link"),
        ('<a href="JaVaScRiPt:alert(1)">click</a>', "a javascript: link"),
        ('<iframe src="https://evil.example/"></iframe>', "an embedded page (<iframe>)"),
        ("<style>body{}</style>", "a style sheet (<style>)"),
        ('<p style="color:red">hi</p>', "style attributes"),
        (
            "![pixel](https://evil.example/p.gif)",
            "an image from another site (images must be stored on this site)",
        ),
    ],
)
def test_what_the_sanitizer_removes_is_named(markdown, told):
    assert told in render_markdown(markdown).removed


def test_ordinary_markdown_removes_nothing():
    text = (
        "## A question\n\nAn *answer*, a [link](https://www.samhsa.gov/), ![a tablet](/static/t.png).\n\n"
        "### Detail\n\n| Dose | When |\n|:--|--:|\n| 50 mg | daily |\n"
    )

    rendered = render_markdown(text)

    assert rendered.removed == ()
    assert rendered.images_without_alt == 0


def test_images_without_a_description_are_counted():
    rendered = render_markdown('![](/static/a.png) <img src="/static/b.png"> ![fine](/static/c.png)')

    assert rendered.images_without_alt == 2
