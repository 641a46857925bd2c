"""Staff sign-in in a real browser: an authenticator app set up from the QR page's key, a passkey
registered and then used through Chromium's virtual authenticator (the DevTools protocol's
WebAuthn domain), and axe-core on the sign-in, setup, verify, recovery-code and devices pages."""

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.helpers import admin_sign_in, assert_accessible, assert_no_console_errors

pytestmark = pytest.mark.e2e

PASSWORD = "a long and unusual test passphrase"


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.com", PASSWORD)


def password_step(page, *, username="boss"):
    page.goto(reverse("admin:login"))
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def code_from_key(key_text: str) -> str:
    """What an authenticator app shows for the key typed from the setup page."""
    key = b32decode(key_text.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def finish_with_recovery_codes(page) -> list[str]:
    expect(page).to_have_url(re.compile(re.escape(reverse("staff_auth:recovery-codes"))))
    assert_accessible(page)
    page.get_by_role("button", name="Create ten new recovery codes").click()
    codes = page.locator(".staff-auth-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have saved them: continue").click()
    return codes


def test_staff_set_up_an_authenticator_app_and_then_sign_in_with_its_codes(page, boss):
    password_step(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code from the app").fill(code_from_key(page.locator(".staff-auth-key").inner_text()))
    page.get_by_role("button", name="Turn on the authenticator app").click()
    finish_with_recovery_codes(page)

    expect(page).to_have_url(re.compile(re.escape(reverse("admin:index")) + "$"))
    page.goto(reverse("staff_auth:devices"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sign-in methods")
    expect(page.locator("main, #content").first).to_contain_text("10 unused")
    assert_accessible(page)
    assert_no_console_errors(page)


def test_the_verify_page_refuses_a_wrong_code_and_lets_the_right_one_in(page, boss, settings):
    from tests.staff import authenticator_app, next_code

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's wait after a wrong code; not under test

    device = authenticator_app(boss)
    password_step(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step: confirm it is you")
    assert_accessible(page)

    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".errornote")).to_contain_text("That code is not right")
    assert_accessible(page)
    page.get_by_role("textbox", name="Code").fill(next_code(device))
    page.get_by_role("button", name="Verify").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("admin:index")) + "$"))


def test_the_shared_sign_in_helper_opens_admin(page, boss):
    admin_sign_in(page, username="boss", password=PASSWORD, next_url=reverse("admin:auth_user_changelist"))

    expect(page).to_have_url(re.compile(re.escape(reverse("admin:auth_user_changelist")) + "$"))


def add_virtual_authenticator(page):
    """A platform authenticator (like Touch ID) that says yes: Chromium's DevTools WebAuthn domain."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp


def test_staff_register_a_passkey_and_then_sign_in_with_it(page, boss):
    from django_otp_webauthn.models import WebAuthnCredential

    add_virtual_authenticator(page)
    password_step(page)
    page.get_by_role("button", name="Create a passkey").click()
    finish_with_recovery_codes(page)
    expect(page).to_have_url(re.compile(re.escape(reverse("admin:index")) + "$"))
    passkey = WebAuthnCredential.objects.get(user=boss, confirmed=True)

    page.get_by_role("button", name="Log out").click()
    password_step(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step: confirm it is you")
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("admin:index")) + "$"))
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    page.goto(reverse("staff_auth:devices"))
    expect(page.locator("main, #content").first).to_contain_text("Passkey added on")
    assert_accessible(page)
    assert_no_console_errors(page)
