"""What the journeys share: the accessibility check, the calendar they book into, small readers."""

from datetime import time

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no rule tagged wcag22a).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_AXE = Axe()

PHONE_VIEWPORT = {"width": 375, "height": 667}


def axe_violations(page, *, disabled_rules: dict[str, str] | None = None) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations at WCAG 2.2 A and AA.

    `disabled_rules` maps a rule id to the written reason it is off; no reason, no disabling.
    """
    disabled_rules = disabled_rules or {}
    assert all(reason.strip() for reason in disabled_rules.values()), "say why a rule is disabled"
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in disabled_rules},
    }
    return _AXE.run(page, options=options).response["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


def assert_accessible(page, *, disabled_rules: dict[str, str] | None = None) -> None:
    violations = axe_violations(page, disabled_rules=disabled_rules)
    assert not violations, f"axe-core found WCAG 2.2 A/AA violations on {page.url}:\n{describe(violations)}"


def assert_no_console_errors(page) -> None:
    """No script error and no Content-Security-Policy refusal (inline code or a foreign origin)."""
    assert not page.console_errors, f"browser console errors on {page.url}: {page.console_errors}"


def open_every_day(start=time(9), end=time(17)) -> None:
    """Weekly hours on all seven days, so a journey never depends on today's weekday."""
    from scheduling.models import WeeklyHours

    WeeklyHours.objects.bulk_create(
        WeeklyHours(weekday=weekday, start_time=start, end_time=end) for weekday in range(7)
    )


def scroll_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def visible_text(page) -> str:
    return " ".join(page.locator("body").inner_text().split())


def admin_sign_in(page, *, username: str, password: str, next_url: str = "/admin/") -> None:
    """Sign in to admin through the real login form (django-axes checks it), then the second
    factor with the code the user's authenticator app shows now (a confirmed one is created for
    the user if they have none), as staff would, and land on `next_url`. Every browser test that
    signs staff in goes through here."""
    from urllib.parse import quote

    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from tests.staff import authenticator_app, next_code

    device = authenticator_app(get_user_model().objects.get(username=username))
    page.goto(f"{reverse('admin:login')}?next={quote(next_url)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("textbox", name="Code").fill(next_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: reverse("staff_auth:verify") not in url)
