"""Admin pages staff use, checked by axe-core (WCAG 2.2 A/AA) in Chromium, staff signed in.

The list-filter and breadcrumb fixes live in the admin-wide stylesheet (templates/admin/base_site.html
loads static/admin/clinic.css), so the appointment list with its filters is checked here too.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import admin_sign_in, assert_accessible, assert_no_console_errors, scroll_overflow

pytestmark = pytest.mark.e2e

PASSWORD = "a long and unusual test passphrase"
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def staff_page(new_page, django_user_model):
    """A browser signed in as a superuser (the audit trail is for superusers), on a laptop screen."""
    django_user_model.objects.create_superuser("editor", "editor@example.com", PASSWORD)
    page = new_page(viewport=DESKTOP)
    admin_sign_in(page, username="editor", password=PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return page


@pytest.fixture
def article():
    from tests.education.factories import make_article, make_topic

    return make_article(
        topics=[make_topic(name="Medication")],
        references=[("Example citation, 2024.", "https://example.org/paper")],
    )


def _check(page, url):
    # A page checked before was already held to no console errors; axe's probes there may have
    # tripped the Content-Security-Policy, which is no fault of this page.
    page.console_errors.clear()
    page.goto(url)
    expect(page.locator("#content")).to_be_visible()
    # Before axe runs: axe's own probes may trip the Content-Security-Policy in the console.
    assert_no_console_errors(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:index",
        "admin:education_article_changelist",
        "admin:education_article_add",
        "admin:education_contributor_changelist",
        "admin:education_contributor_add",
        "admin:education_topic_changelist",
        "admin:education_topic_add",
        "admin:clinic_auditevent_changelist",
        "admin:auth_user_changelist",
    ],
)
def test_admin_page_has_no_axe_violations(staff_page, article, url_name):
    _check(staff_page, reverse(url_name))


def test_article_change_page_has_no_axe_violations(staff_page, article):
    _check(staff_page, reverse("admin:education_article_change", args=[article.pk]))


def test_contributor_and_topic_change_pages_have_no_axe_violations(staff_page, article):
    _check(staff_page, reverse("admin:education_contributor_change", args=[article.author.pk]))
    _check(staff_page, reverse("admin:education_topic_change", args=[article.topics.get().pk]))


def test_audit_event_page_has_no_axe_violations(staff_page, article):
    from clinic.models import AuditEvent

    event = AuditEvent.objects.create(
        username="editor", action="change", object_type="education.article", object_id=str(article.pk)
    )
    _check(staff_page, reverse("admin:clinic_auditevent_change", args=[event.pk]))


def test_appointment_list_with_filters_has_no_axe_violations(staff_page):
    from tests.scheduling import admin_factories as f

    f.appointment(timezone.now() + timedelta(days=2))
    _check(staff_page, reverse("admin:scheduling_appointment_changelist") + "?status__exact=confirmed")


@pytest.mark.parametrize(
    "url_name", ["admin:scheduling_timeoff_changelist", "admin:scheduling_notification_changelist"]
)
def test_other_lists_with_filters_pass_too(staff_page, url_name):
    """The filter and breadcrumb fixes are admin-wide, not made per page."""
    _check(staff_page, reverse(url_name))
    expect(staff_page.locator("#changelist-filter a").first).to_be_visible()


def test_login_page_has_no_axe_violations(page):
    _check(page, reverse("admin:login"))


def test_audit_list_fits_a_laptop_screen_without_clipping(staff_page):
    """Every column, the longest detail and an IPv6 address included, is on screen at 1280 px."""
    from clinic.models import AuditEvent

    AuditEvent.objects.create(
        username="a.very.long.staff.username@clinic.example",
        action="export",
        detail="CSV of 2500 rows, " + "filtered by status, state, contact method and source " * 3,
        object_type="scheduling.notification",
        object_id="1234567890",
        fields=["status"],
        client_address="2001:db8:85a3:1234:5678:8a2e:370:7334",
    )
    staff_page.goto(reverse("admin:clinic_auditevent_changelist"))

    results = staff_page.locator("#changelist .results")
    expect(results).to_be_visible()
    assert results.evaluate("el => el.scrollWidth - el.clientWidth") <= 0
    assert scroll_overflow(staff_page) <= 0
    expect(staff_page.locator("#result_list")).to_contain_text("2001:db8:85a3:1234:5678:8a2e:370:7334")
