from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from scheduling import throttle
from scheduling.models import Throttle

pytestmark = pytest.mark.django_db


def request_from(address: str):
    return RequestFactory().post("/book/details/", REMOTE_ADDR=address)


def test_a_client_over_the_limit_is_refused_until_the_window_passes():
    now = timezone.now()
    hits = [
        throttle.allow(
            request_from("203.0.113.7"), action="book", limit=2, per=timedelta(minutes=10), now=now
        )
        for _ in range(3)
    ]
    later = throttle.allow(
        request_from("203.0.113.7"),
        action="book",
        limit=2,
        per=timedelta(minutes=10),
        now=now + timedelta(minutes=11),
    )

    assert hits == [True, True, False]
    assert later is True


def test_clients_and_actions_are_counted_apart_and_addresses_are_not_stored():
    for _ in range(2):
        throttle.allow(request_from("203.0.113.7"), action="book", limit=1, per=timedelta(minutes=10))

    assert throttle.allow(request_from("198.51.100.9"), action="book", limit=1, per=timedelta(minutes=10))
    assert throttle.allow(request_from("203.0.113.7"), action="manage", limit=1, per=timedelta(minutes=10))
    assert not any("203.0.113.7" in key for key in Throttle.objects.values_list("key", flat=True))
