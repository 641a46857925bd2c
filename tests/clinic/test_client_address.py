"""One client address for the rate limits, the admin lockout and the audit trail, read from one
setting: behind a proxy, the address the proxy saw; never what the client says of itself."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic import audit
from clinic.client import client_address
from clinic.models import AuditEvent
from scheduling.models import Throttle
from scheduling.public.throttle import throttle_key

LOGIN = reverse("admin:login")
PASSWORD = "a-long-test-password-1"
PROXY = "10.0.0.2"


def request(xff: str | None = None, remote: str = PROXY):
    headers = {"REMOTE_ADDR": remote}
    if xff is not None:
        headers["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # no proxy: the header is the client's own word
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry is the client's own word
        (2, "198.51.100.1, 203.0.113.9, 192.0.2.4", "203.0.113.9"),
        (1, None, PROXY),  # reached past the proxy
        (2, "203.0.113.9", PROXY),
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_last_trusted_proxy_saw(settings, proxies, xff, expected):
    settings.CLIENT_ADDRESS_PROXY_COUNT = proxies

    assert client_address(request(xff)) == expected


@pytest.mark.django_db
def test_behind_a_proxy_one_visitors_failed_logins_do_not_lock_out_staff_elsewhere(settings):
    settings.CLIENT_ADDRESS_PROXY_COUNT = 1
    User.objects.create_user("frontdesk", "fd@clinic.example", PASSWORD, is_staff=True, is_superuser=True)
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    staff = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        guesser.post(LOGIN, {"username": "frontdesk", "password": "wrong-guess"})
    assert guesser.post(LOGIN, {"username": "frontdesk", "password": PASSWORD}).status_code == 429

    response = staff.post(LOGIN, {"username": "frontdesk", "password": PASSWORD, "next": "/admin/"})

    # Not locked out: the password is accepted and the sign-in goes on to its second factor.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff_auth:verify"))


@pytest.mark.django_db
def test_rate_limits_and_the_audit_trail_key_on_the_same_client_address(settings):
    settings.CLIENT_ADDRESS_PROXY_COUNT = 1
    user = User.objects.create_user("frontdesk", is_staff=True)
    visitor = request("198.51.100.1, 203.0.113.9")
    visitor.user = user

    event = audit.record(visitor, AuditEvent.Action.CHANGE, object_type="x", object_id=1)
    Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9").get("/book/manage/nothing/")

    assert event.client_address == "203.0.113.9"
    assert Throttle.objects.get().key == throttle_key("manage", "203.0.113.9")
