"""The browser harness: one headless Chromium per test session, a fresh context per test.

Pages are served by pytest-django's `live_server` (a real HTTP server in a thread, on the
suite's database; requesting it makes the test transactional so the server sees the rows the
test creates). The browser is Debian's Chromium: `playwright install` cannot download here.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop marked as running in the test's thread
# between calls, so Django would refuse every ORM call the test makes (SynchronousOnlyOperation)
# although nothing runs concurrently: the test only touches the database between browser calls,
# and the live server answers from its own thread with its own connection. Django's documented
# switch for that case is this variable; it must be set before the first query.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
# Generous for a loaded 2-core CI machine, short enough that a broken page fails fast.
TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so the page fixture knows at teardown
    # whether the test failed and a screenshot is worth saving.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the browser tests.", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """Open a page in a new browser context: `new_page(timezone_id=..., viewport=..., ...)`.

    Keyword arguments go to `browser.new_context` (defaults: the live server as base URL,
    en-US, UTC, 1280x720, JavaScript on). Each page records the browser console's
    errors in `page.console_errors` (a Content-Security-Policy refusal shows up there). When the
    test fails, every page it opened is saved as tests/e2e/artifacts/<test name>[-n].png.
    """
    contexts = []
    pages = []

    def open_page(**context_options):
        context_options.setdefault("base_url", live_server.url)
        context_options.setdefault("locale", "en-US")
        # Not the host's zone: a journey that depends on the browser's zone names it.
        context_options.setdefault("timezone_id", "UTC")
        context = browser.new_context(**context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: _record_console_error(page, message))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        pages.append(page)
        return page

    yield open_page

    reports = [getattr(request.node, f"report_{when}", None) for when in ("setup", "call")]
    if any(report is not None and report.failed for report in reports):
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_")
        for number, page in enumerate(pages):
            suffix = f"-{number + 1}" if number else ""
            try:
                page.screenshot(path=ARTIFACTS / f"{name}{suffix}.png", full_page=True)
            except Exception as error:  # a crashed page must not hide the test's own failure
                print(f"could not save a screenshot of {page.url}: {error}")
    for context in contexts:
        context.close()


def _record_console_error(page, message):
    if message.type != "error":
        return
    url = message.location.get("url", "")
    # The browser asks for /favicon.ico on its own, and a 404 page's own status is its point.
    if message.text.startswith("Failed to load resource") and (
        url.endswith("/favicon.ico") or url == page.url
    ):
        return
    page.console_errors.append(f"{message.text} ({url})" if url else message.text)


@pytest.fixture
def page(new_page):
    """A page in a fresh context with new_page's defaults."""
    return new_page()
