"""The site's own pages in a real browser: accessible, no console errors, usable on a small phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, assert_no_console_errors, scroll_overflow

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
ARTICLE_URL = "/articles/naltrexone-for-opioid-addiction/"
CONTACT = {
    "phone": "(212) 555-0142",
    "email": "office@clinic.example",
    "office_hours": "Monday to Friday, 9 AM to 5 PM Eastern Time",
}


def set_contact_details(**fields) -> None:
    from django.core.cache import cache

    from clinic.models import PracticeProfile

    PracticeProfile(**fields).save()
    # The live server's thread shares this process's cache; the save dropped it already, and a
    # test transaction's on-commit never runs here, so drop the article pages' copies too.
    cache.clear()


@pytest.fixture
def seeded_article():
    from education import seed

    seed.run()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Treatment for opioid addiction"),
        ("/about/", "About Dr. Panagopoulos"),
        ("/contact/", "Contact the practice"),
        ("/privacy/", "Privacy"),
        ("/articles/", None),
        (ARTICLE_URL, "Naltrexone for opioid addiction"),
        ("/no-such-page/", None),
    ],
)
def test_site_page_has_no_wcag_violations(new_page, seeded_article, viewport, path, heading):
    set_contact_details(**CONTACT)
    page = new_page(viewport=viewport)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    # Every page carries the crisis notice.
    expect(page.get_by_text("988").first).to_be_visible()
    assert_accessible(page)
    assert_no_console_errors(page)
    assert scroll_overflow(page) == 0


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_footer_shows_the_contact_details_when_set(new_page, viewport):
    set_contact_details(**CONTACT)
    page = new_page(viewport=viewport)
    page.goto("/about/")

    footer = page.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="(212) 555-0142")).to_have_attribute("href", "tel:+12125550142")
    expect(footer.get_by_role("link", name="office@clinic.example")).to_have_attribute(
        "href", "mailto:office@clinic.example"
    )
    expect(footer.get_by_role("term")).to_have_text(["Phone", "Email", "Office hours"])
    expect(footer.get_by_role("definition").last).to_have_text("Monday to Friday, 9 AM to 5 PM Eastern Time")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_footer_hides_the_contact_details_when_not_set(new_page, viewport):
    set_contact_details()
    page = new_page(viewport=viewport)
    page.goto("/about/")

    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("Telehealth for people who live in New York, Texas or California.")
    expect(footer).not_to_contain_text("Phone")
    expect(footer).not_to_contain_text("Email")
    expect(footer).not_to_contain_text("Office hours")
    expect(footer.locator("address")).to_have_count(0)


def test_the_main_navigation_leads_to_about_the_doctor(page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="About the doctor").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("About Dr. Panagopoulos")


def contrast(page, selector: str) -> float:
    """Contrast of an element's border against the page background, as WCAG computes it."""
    return page.evaluate(
        """(selector) => {
            const channel = (c) => {
                c /= 255;
                return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
            };
            const luminance = (css) => {
                const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).map(Number);
                return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
            };
            const border = luminance(getComputedStyle(document.querySelector(selector)).borderTopColor);
            const page = luminance(getComputedStyle(document.body).backgroundColor);
            const [hi, lo] = border > page ? [border, page] : [page, border];
            return (hi + 0.05) / (lo + 0.05);
        }""",
        selector,
    )


@pytest.mark.parametrize("choice", ["radio", "checkbox"])
def test_unselected_choices_show_their_outline_at_3_to_1_or_more(page, choice):
    """WCAG 1.4.11: a control's boundary needs 3:1; Bootstrap's default outline is about 1.3:1.
    The booking pages' choices are Bootstrap's .form-check-input, styled by the site's stylesheet."""
    page.goto("/")
    page.evaluate(
        """(choice) => document.querySelector("main").insertAdjacentHTML(
            "beforeend", `<input class="form-check-input" type="${choice}" aria-label="A choice">`)""",
        choice,
    )

    assert contrast(page, f".form-check-input[type={choice}]:not(:checked)") >= 3


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
