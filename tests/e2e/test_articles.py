"""Patient education in a real browser: the article list and the naltrexone article."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PHONE_VIEWPORT, assert_accessible, assert_no_console_errors, scroll_overflow

pytestmark = pytest.mark.e2e

ARTICLE_URL = "/articles/naltrexone-for-opioid-addiction/"


@pytest.fixture
def article():
    from education import seed

    seed.run()


def test_article_list_has_no_wcag_violations(page, article):
    page.goto("/articles/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Naltrexone for opioid addiction").first).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_naltrexone_article_has_no_wcag_violations_and_offers_the_meet_and_greet(page, article):
    page.goto(ARTICLE_URL)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Naltrexone")
    expect(page.get_by_role("link", name="Book a free 10-minute meet-and-greet").first).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_article_list_links_to_the_article(page, article):
    page.goto("/articles/")
    page.get_by_role("link", name="Naltrexone for opioid addiction").first.click()
    expect(page).to_have_url(f"{page.url.split('/articles/')[0]}{ARTICLE_URL}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Naltrexone")


@pytest.mark.parametrize("path", ["/", ARTICLE_URL])
def test_page_on_a_375_pixel_phone_has_no_horizontal_scrolling_and_a_visible_cta(new_page, article, path):
    page = new_page(viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True)
    page.goto(path)
    assert scroll_overflow(page) == 0, "the page scrolls sideways on a 375-pixel phone"
    cta = page.get_by_role("link", name="Book a free 10-minute meet-and-greet").first
    cta.scroll_into_view_if_needed()
    expect(cta).to_be_visible()
    box = cta.bounding_box()
    # Usable without zooming: entirely inside the screen's width, and a comfortable target.
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]
    assert box["height"] >= 24
