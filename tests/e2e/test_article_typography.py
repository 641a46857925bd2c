"""How an article's Markdown looks on the public page: heading sizes and tables (our stylesheet)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE_VIEWPORT, assert_accessible, assert_no_console_errors, scroll_overflow

pytestmark = pytest.mark.e2e

BODY = """## How the medicine works

Some words.

### Before the first dose

More words.

#### A smaller point

| Dose | When | Note |
|:--|--:|---|
| 50 mg | daily | A longwordwithoutanyspacesthatcouldpushthetablewiderthanaphonescreen |
| 380 mg | monthly | injection |
"""


@pytest.fixture
def article():
    from tests.education.factories import make_article

    return make_article(body_markdown=BODY)


def _font_size(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")


def test_each_heading_level_is_smaller_than_the_one_above(page, article):
    page.goto(article.get_absolute_url())
    expect(page.locator(".article-body h3")).to_have_text("Before the first dose")

    h2, h3, h4 = (_font_size(page, f".article-body {tag}") for tag in ("h2", "h3", "h4"))

    assert h2 > h3 > h4
    assert_no_console_errors(page)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [None, PHONE_VIEWPORT], ids=["laptop", "phone"])
def test_markdown_tables_have_visible_cell_borders_and_padding(new_page, article, viewport):
    page = new_page(viewport=viewport) if viewport else new_page()
    page.goto(article.get_absolute_url())
    cell = page.locator(".article-body td").first
    expect(cell).to_have_text("50 mg")

    style = cell.evaluate(
        """el => { const s = getComputedStyle(el);
                   return [s.borderTopStyle, parseFloat(s.borderTopWidth), s.borderTopColor,
                           parseFloat(s.paddingLeft), parseFloat(s.paddingTop)]; }"""
    )

    assert style[0] == "solid" and style[1] >= 1
    assert style[2] == "rgb(108, 117, 125)"  # #6c757d: 4.7:1 on white
    assert style[3] >= 8 and style[4] >= 4
    assert scroll_overflow(page) <= 0
    assert_accessible(page)
