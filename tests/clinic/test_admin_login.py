"""Admin login against guessing (django-axes lockout) and the 30-minute idle timeout.

The second factor after the password is tested in test_staff_auth.py."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.staff import authenticator_app, next_code

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")
PASSWORD = "a-long-test-password-1"


@pytest.fixture
def staff_user():
    user = User.objects.create_user(
        "frontdesk", "fd@clinic.example", PASSWORD, is_staff=True, is_superuser=True
    )
    authenticator_app(user)
    return user


def login(client, password: str):
    return client.post(LOGIN, {"username": "frontdesk", "password": password, "next": "/admin/"})


def sign_in(client, user):
    """Password, then the code of the user's authenticator app."""
    login(client, PASSWORD)
    code = next_code(authenticator_app(user))
    return client.post(reverse("staff_auth:verify"), {"otp_token": code, "next": "/admin/"})


def test_a_correct_login_goes_on_to_the_second_factor(client, staff_user):
    response = login(client, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff_auth:verify") + "?next=%2Fadmin%2F"
    assert sign_in(client, staff_user)["Location"] == "/admin/"


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "wrong-guess")
        assert response.status_code == 200  # the form again, with its error
        assert "Please enter the correct username and password" in response.content.decode()

    locked = login(client, "wrong-guess")
    after = login(client, PASSWORD)

    assert locked.status_code == 429
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_cools_off(client, staff_user, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "wrong-guess")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )

    assert login(client, PASSWORD).status_code == 302


def test_lockout_is_configured_with_a_cooling_off_time(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME


def test_admin_session_expires_after_30_idle_minutes(client, staff_user):
    sign_in(client, staff_user)
    assert client.get("/admin/").status_code == 200
    assert client.session.get_expiry_age() == 30 * 60

    # Each request pushes the expiry 30 minutes on (SESSION_SAVE_EVERY_REQUEST) ...
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date - timezone.now() > timedelta(minutes=29)
    # ... so 31 minutes without a request leaves an expired session: back to the login page.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(minutes=1))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_activity_keeps_the_admin_session_alive(client, staff_user):
    sign_in(client, staff_user)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=2))

    assert client.get("/admin/").status_code == 200

    assert Session.objects.get(pk=key).expire_date - timezone.now() > timedelta(minutes=29)


def test_a_username_too_long_to_record_is_a_wrong_login_and_still_counts_toward_the_lockout(
    client, staff_user, settings
):
    from axes.models import AccessAttempt

    overlong = "frontdesk" + "x" * 400
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(LOGIN, {"username": overlong, "password": "wrong-guess", "next": "/admin/"})
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()

    locked = client.post(LOGIN, {"username": overlong, "password": "wrong-guess", "next": "/admin/"})

    assert locked.status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == settings.AXES_FAILURE_LIMIT
