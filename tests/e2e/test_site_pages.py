"""The site's own pages in a real browser: accessible, no console errors, usable on a small phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Treatment for opioid addiction"),
        ("/about/", None),
        ("/privacy/", None),
        ("/no-such-page/", None),
    ],
)
def test_site_page_has_no_wcag_violations(page, path, heading):
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    # Every page carries the crisis notice.
    expect(page.get_by_text("988").first).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
