"""Staff sign in with a password and then a second factor before any admin page answers.

Sign-ins here go through the real pages (password form, then the verify or setup page); other
tests use tests/staff.py's staff_login, which stands for a finished sign-in.
"""

import logging
import re
import time
from base64 import b32encode
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import AuditEvent, StaffFeedToken
from clinic.staff_auth import services
from tests.scheduling import admin_factories as f
from tests.staff import authenticator_app, next_code, staff_login

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"
LOGIN = reverse("admin:login")
VERIFY = reverse("staff_auth:verify")
SETUP = reverse("staff_auth:setup")
RECOVERY = reverse("staff_auth:recovery-codes")
DEVICES = reverse("staff_auth:devices")
ADMIN_PAGES = [
    reverse("admin:index"),
    reverse("admin:scheduling_appointment_changelist"),
    reverse("admin:scheduling_appointment_agenda"),
    reverse("admin:scheduling_appointment_export"),
    reverse("admin:scheduling_appointment_feed_token"),
    reverse("admin:auth_user_changelist"),
    reverse("admin:password_change"),
]


def password_step(client, user, *, next_url="/admin/"):
    return client.post(LOGIN, {"username": user.username, "password": PASSWORD, "next": next_url})


def code_step(client, code, *, next_url="/admin/"):
    return client.post(VERIFY, {"otp_token": code, "next": next_url})


def signed_in(client, user):
    password_step(client, user)
    response = code_step(client, next_code(authenticator_app(user)))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def failures(user) -> int:
    return sum(
        AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True)
    )


# --- enforcement ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_password_alone_opens_no_admin_page_and_leads_to_setup(client, url):
    user = f.superuser()
    assert password_step(client, user).status_code == 302

    response = client.get(url, follow=True)

    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert response.redirect_chain[-1][0].startswith(SETUP)
    assert "Set up your second factor" in text_of(response)


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_a_password_alone_of_an_enrolled_user_leads_to_the_code_page(client, url):
    user = f.superuser()
    authenticator_app(user)
    password_step(client, user)

    response = client.get(url, follow=True)

    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert "confirm it is you" in text_of(response)


def test_after_setting_up_an_app_and_a_valid_code_every_admin_page_opens(client):
    user = f.superuser()
    password_step(client, user)
    setup_page = client.get(SETUP)
    pending = TOTPDevice.objects.get(user=user, confirmed=False)

    confirmed = client.post(SETUP, {"otp_token": next_code(pending), "next": "/admin/"})

    assert "<svg" in setup_page.content.decode()  # the QR code, drawn by the site itself
    assert "<img" not in setup_page.content.decode()
    assert confirmed.status_code == 302 and confirmed["Location"].startswith(RECOVERY)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 200, url
    # The next sign-in asks for a code from the app just set up.
    client.logout()
    password_step(client, user)
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(VERIFY)
    assert signed_in(client, user).get("/admin/").status_code == 200


def test_a_wrong_first_code_does_not_turn_the_app_on(client):
    user = f.superuser()
    password_step(client, user)
    client.get(SETUP)

    response = client.post(SETUP, {"otp_token": "000000"})

    assert services.MSG_WRONG_CODE in text_of(response)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_the_staff_calendar_feed_and_the_public_site_need_no_sign_in(client):
    user = f.scheduling_staff()
    _, token = StaffFeedToken.issue(user)

    feed = client.get(reverse("admin:scheduling_appointment_feed", args=[token]))

    assert feed.status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/book/").status_code == 200


def test_the_staff_login_helper_passes_through_the_real_requirement(client):
    """staff_login stands for both steps: a session with a password alone is refused."""
    user = f.superuser()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302

    staff_login(client, user)

    assert client.get("/admin/").status_code == 200


def test_someone_who_is_not_staff_cannot_use_the_second_step(client):
    from django.contrib.auth.models import User

    User.objects.create_user("patient", "", PASSWORD)
    client.post(LOGIN, {"username": "patient", "password": PASSWORD})

    assert client.get(VERIFY)["Location"].startswith(LOGIN)
    assert client.get(SETUP)["Location"].startswith(LOGIN)


def test_after_the_code_an_outside_next_address_is_not_followed(client):
    user = f.superuser()
    authenticator_app(user)
    password_step(client, user)

    response = code_step(client, next_code(authenticator_app(user)), next_url="https://evil.example/")

    assert response["Location"] == reverse("admin:index")


# --- wrong and reused codes --------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_counted_toward_the_lockout(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = f.superuser()
    authenticator_app(user)
    password_step(client, user)

    response = code_step(client, "123456")

    assert response.status_code == 200
    assert services.MSG_WRONG_CODE in text_of(response)
    assert failures(user) == 1
    assert client.get("/admin/").status_code == 302


def test_a_used_code_is_refused_the_second_time(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = f.superuser()
    device = authenticator_app(user)
    password_step(client, user)
    code = next_code(device)
    assert code_step(client, code).status_code == 302

    client.logout()
    password_step(client, user)
    again = code_step(client, code)

    assert again.status_code == 200
    assert services.MSG_WRONG_CODE in text_of(again)
    assert failures(user) == 1


def test_wrong_codes_lock_the_account_out_like_wrong_passwords(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = f.superuser()
    device = authenticator_app(user)
    password_step(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert code_step(client, "000000").status_code == 200

    locked = code_step(client, "000000")

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The right password and the right code are refused too, until the cool-off ends.
    assert password_step(client, user).status_code == 429
    assert code_step(client, next_code(device)).status_code in (302, 429)
    assert client.get("/admin/").status_code == 302


def test_a_right_password_does_not_clear_the_count_of_wrong_codes(client, settings):
    """Otherwise the password-holder could guess codes forever, four at a time."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = f.superuser()
    authenticator_app(user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        password_step(client, user)
        code_step(client, "000000")
        client.logout()

    password_step(client, user)
    locked = code_step(client, "000000")

    assert locked.status_code == 429


def test_a_whole_sign_in_clears_the_count(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = f.superuser()
    authenticator_app(user)
    password_step(client, user)
    code_step(client, "000000")
    assert failures(user) == 1

    code_step(client, next_code(authenticator_app(user)))

    assert failures(user) == 0


# --- recovery codes ------------------------------------------------------------------------------


def issue_recovery_codes(client) -> list[str]:
    response = client.post(RECOVERY)
    assert response.status_code == 200
    return response.context["codes"]


def test_ten_recovery_codes_are_shown_once_and_each_works_once(client, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # django-otp slows down after a wrong code; not under test
    user = f.superuser()
    codes = issue_recovery_codes(staff_login(client, user))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert codes[0] not in text_of(client.get(RECOVERY))  # never shown again
    client.logout()

    password_step(client, user)
    first = code_step(client, f"{codes[0][:4]}-{codes[0][4:].upper()}")  # as printed, any case
    client.logout()
    password_step(client, user)
    reused = code_step(client, codes[0])
    other = code_step(client, codes[1])

    assert first.status_code == 302
    assert reused.status_code == 200 and services.MSG_WRONG_CODE in text_of(reused)
    assert other.status_code == 302
    assert StaticDevice.objects.get(user=user).token_set.count() == 8


def test_new_recovery_codes_replace_the_old_ones(client):
    user = f.superuser()
    staff_login(client, user)
    old = issue_recovery_codes(client)

    new = issue_recovery_codes(client)

    tokens = set(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True))
    assert tokens == set(new) and not tokens & set(old)


def test_replacing_recovery_codes_needs_a_fresh_second_factor_check(client):
    user = f.superuser()
    staff_login(client, user)
    issue_recovery_codes(client)
    session = client.session
    session[services.FRESH_CHECK_SESSION_KEY] = time.time() - 3600
    session.save()

    response = client.post(RECOVERY)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff_auth:confirm"))
    confirm = client.get(response["Location"])
    assert confirm.status_code == 200 and "Confirm it is you" in text_of(confirm)
    after = client.post(
        response["Location"], {"otp_token": next_code(authenticator_app(user)), "next": RECOVERY}
    )
    assert after["Location"] == RECOVERY
    assert len(issue_recovery_codes(client)) == 10


# --- one's own devices, a superuser's reset --------------------------------------------------------


def test_staff_see_their_devices_and_cannot_remove_their_last_one(client):
    user = f.scheduling_staff()
    staff_login(client, user)
    device = authenticator_app(user)

    page = client.get(DEVICES)
    refused = client.post(reverse("staff_auth:device-remove", args=["app", device.pk]), follow=True)

    assert page.status_code == 200 and "Test phone" in text_of(page)
    assert services.MSG_LAST_DEVICE in text_of(refused)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_staff_remove_one_of_two_apps_and_it_is_audited(client):
    user = f.scheduling_staff()
    staff_login(client, user)
    old = TOTPDevice.objects.create(user=user, name="Old phone", confirmed=True)

    client.post(reverse("staff_auth:device-remove", args=["app", old.pk]))

    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.DELETE)
    assert event.detail == "authenticator app removed" and event.username == user.username


def test_staff_cannot_remove_someone_elses_device(client):
    staff_login(client, f.scheduling_staff())
    theirs = authenticator_app(f.superuser())

    response = client.post(reverse("staff_auth:device-remove", args=["app", theirs.pk]))

    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_a_superuser_resets_another_staff_members_second_factor(client):
    boss = f.superuser()
    staff = f.scheduling_staff()
    staff_client = signed_in(type(client)(), staff)
    assert staff_client.get("/admin/").status_code == 200
    staff_login(client, boss)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [staff.pk]},
        follow=True,
    )

    assert "Reset the second factor of 1 user(s)" in text_of(response)
    assert not TOTPDevice.objects.filter(user=staff).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACTION, object_id=str(staff.pk))
    assert event.username == boss.username and event.object_type == "auth.user"
    # Their open session no longer opens admin: it is sent to set up a new second factor.
    assert staff_client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(SETUP)


def test_only_superusers_can_reset_a_second_factor(client):
    from django.contrib.auth.models import Permission

    staff = f.scheduling_staff()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    other = f.plain_staff()
    authenticator_app(other)
    staff_login(client, staff)

    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [other.pk]},
    )

    assert TOTPDevice.objects.filter(user=other).exists()


@pytest.mark.parametrize(
    "url",
    ["/admin/otp_totp/totpdevice/", "/admin/otp_static/staticdevice/", "/admin/django_otp_webauthn/"],
)
def test_nobody_reads_second_factor_secrets_in_admin(client, url):
    staff_login(client, f.superuser())

    response = client.get(url, follow=True)

    assert response.status_code == 404 or response.redirect_chain


# --- no secret in logs, emails or the audit trail --------------------------------------------------


def test_no_key_or_recovery_code_appears_in_logs_emails_or_the_audit_trail(client, caplog, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    caplog.set_level(logging.DEBUG)
    user = f.superuser()
    password_step(client, user)
    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(SETUP, {"otp_token": "999999"})  # a wrong one first
    first_code = next_code(pending)
    client.post(SETUP, {"otp_token": first_code})
    codes = issue_recovery_codes(client)
    client.logout()
    password_step(client, user)
    code_step(client, "000000")
    code_step(client, codes[0])

    secrets = [pending.key, b32encode(pending.bin_key).decode(), first_code, *codes]
    written = [
        caplog.text,
        *(message.subject + message.body for message in mail.outbox),
        *(f"{e.detail} {e.fields} {e}" for e in AuditEvent.objects.all()),
        *AccessAttempt.objects.values_list("post_data", flat=True),
    ]
    assert AuditEvent.objects.filter(detail="authenticator app added").exists()
    assert AuditEvent.objects.filter(detail="10 recovery codes created").exists()
    for secret in secrets:
        assert not any(secret.lower() in text.lower() for text in written), "a secret was written down"


def test_a_code_sent_while_django_otp_makes_the_app_wait_is_not_checked_nor_counted(client):
    user = f.superuser()
    device = authenticator_app(user)
    password_step(client, user)
    code_step(client, "000000")  # the app now waits a second before it checks another code

    response = code_step(client, next_code(device))

    assert services.MSG_TOO_FAST in text_of(response)
    assert failures(user) == 1
    assert client.get("/admin/").status_code == 302


# --- passkeys: the library's endpoints with the clinic's rules -------------------------------------

REGISTER_BEGIN = reverse("otp_webauthn:credential-registration-begin")
AUTH_BEGIN = reverse("otp_webauthn:credential-authentication-begin")


def test_without_a_password_no_passkey_ceremony_starts(client):
    """Passkeys are the second step only: no passwordless sign-in, no registration."""
    assert client.post(AUTH_BEGIN).status_code == 403
    assert client.post(REGISTER_BEGIN).status_code == 403


def test_after_the_password_staff_without_a_second_factor_may_create_a_passkey(client):
    user = f.superuser()
    password_step(client, user)

    response = client.post(REGISTER_BEGIN)

    assert response.status_code == 200
    assert response.json()["rp"]["id"] == "testserver"


def test_adding_a_passkey_to_an_enrolled_account_needs_a_fresh_check(client):
    user = f.superuser()
    staff_login(client, user)
    session = client.session
    session[services.FRESH_CHECK_SESSION_KEY] = time.time() - 3600
    session.save()

    refused = client.post(REGISTER_BEGIN)

    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "Confirm it is you with your second factor first, then add the passkey."
    )


def test_adding_an_authenticator_app_to_an_enrolled_account_needs_a_fresh_check(client):
    user = f.superuser()
    staff_login(client, user)
    assert client.get(SETUP).status_code == 200
    session = client.session
    session[services.FRESH_CHECK_SESSION_KEY] = time.time() - 3600
    session.save()

    response = client.get(SETUP)

    assert response["Location"].startswith(reverse("staff_auth:confirm"))


def test_a_password_alone_of_an_enrolled_user_cannot_add_a_passkey(client):
    user = f.superuser()
    authenticator_app(user)
    password_step(client, user)

    assert client.post(REGISTER_BEGIN).status_code == 403


def test_the_command_line_resets_a_second_factor_when_no_superuser_can(client):
    from django.core.management import call_command

    boss = f.superuser()
    authenticator_app(boss)

    call_command("reset_second_factor", boss.username, stdout=StringIO())

    assert not TOTPDevice.objects.filter(user=boss).exists()
    event = AuditEvent.objects.get(object_id=str(boss.pk))
    assert event.detail == "second factor reset (1 devices) from the command line"
    password_step(client, boss)
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(SETUP)


def test_every_admin_page_links_to_ones_own_sign_in_methods(client):
    staff_login(client, f.scheduling_staff())

    page = client.get(reverse("admin:index")).content.decode()

    assert f'<a href="{reverse("staff_auth:devices")}">Sign-in methods</a>' in page
