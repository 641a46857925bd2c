"""HEAD answers wherever GET does (link checkers and uptime monitors send HEAD)."""

import pytest

from tests.scheduling.factories import open_every_day

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/about/",
        "/privacy/",
        "/contact/",
        "/healthz",
        "/robots.txt",
        "/articles/",
        "/book/",
        "/book/?state=CA",
        "/book/outside/",
        "/book/times/",
        "/book/times/?state=CA&tz=America/Los_Angeles",
        "/book/slots.json?tz=America/New_York&start=2030-01-07&days=1",
    ],
)
def test_head_answers_like_get_without_a_body(client, path):
    open_every_day()
    get = client.get(path)

    head = client.head(path)

    assert head.status_code == get.status_code != 405
    assert head.content == b""
