"""Fetching a calendar address, against a real HTTP server on 127.0.0.1."""

import socket
import time

import pytest

from scheduling.busy import fetch as fetch_module
from scheduling.busy.fetch import MSG_PRIVATE, MSG_REDIRECTS, MSG_SCHEME, FetchError, check_address, fetch
from tests.scheduling.busy.server import LAST_MODIFIED, fixture


def test_a_calendar_file_is_fetched_with_its_etag_and_last_modified(calendars):
    calendars.files["/google.ics"] = fixture("google.ics")

    fetched = fetch(calendars.url("/google.ics"))

    assert not fetched.not_modified
    assert fetched.body == fixture("google.ics")
    assert fetched.etag == calendars.etag(fixture("google.ics"))
    assert fetched.last_modified == LAST_MODIFIED


def test_a_conditional_request_for_an_unchanged_file_gets_not_modified(calendars):
    calendars.files["/google.ics"] = fixture("google.ics")
    first = fetch(calendars.url("/google.ics"))

    again = fetch(calendars.url("/google.ics"), etag=first.etag, last_modified=first.last_modified)

    assert again.not_modified
    assert again.body == b""
    path, headers = calendars.requests[-1]
    assert headers["If-None-Match"] == first.etag
    assert headers["If-Modified-Since"] == LAST_MODIFIED


def test_a_changed_file_is_fetched_again_despite_the_old_etag(calendars):
    calendars.files["/google.ics"] = fixture("google.ics")
    first = fetch(calendars.url("/google.ics"))
    calendars.files["/google.ics"] = fixture("apple.ics")

    again = fetch(calendars.url("/google.ics"), etag=first.etag)

    assert not again.not_modified
    assert again.body == fixture("apple.ics")


def test_an_error_answer_is_reported_with_its_status(calendars):
    with pytest.raises(FetchError) as error:
        fetch(calendars.url("/missing.ics"))

    assert error.value.message == "the address answered 404 (Not Found)"


def test_a_slow_answer_gives_up_at_the_timeout(calendars):
    calendars.files["/slow.ics"] = fixture("google.ics")
    calendars.delays["/slow.ics"] = 5

    began = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetch(calendars.url("/slow.ics"), timeout=0.5)

    assert time.monotonic() - began < 3
    assert error.value.message == "the address took longer than 0.5 s to answer"


def test_an_oversized_body_without_a_length_is_cut_off_at_the_limit(calendars):
    calendars.oversized["/huge.ics"] = 300_000

    with pytest.raises(FetchError) as error:
        fetch(calendars.url("/huge.ics"), max_bytes=100_000)

    assert error.value.message == "the calendar file is larger than 100,000 bytes"


def test_a_body_declared_larger_than_the_limit_is_refused_before_reading(calendars):
    calendars.files["/big.ics"] = b"BEGIN:VCALENDAR\r\n" + b"X-FILLER:" + b"x" * 6 * 1024 * 1024

    with pytest.raises(FetchError) as error:
        fetch(calendars.url("/big.ics"))

    assert error.value.message == "the calendar file is larger than 5 MB"


def test_redirects_are_followed_a_few_times(calendars):
    calendars.files["/google.ics"] = fixture("google.ics")
    calendars.redirects["/old.ics"] = calendars.url("/google.ics")

    assert fetch(calendars.url("/old.ics")).body == fixture("google.ics")


def test_a_redirect_loop_is_refused(calendars):
    calendars.redirects["/loop.ics"] = "/loop.ics"

    with pytest.raises(FetchError) as error:
        fetch(calendars.url("/loop.ics"), max_redirects=3)

    assert error.value.message == MSG_REDIRECTS
    assert calendars.hits("/loop.ics") == 4


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "10.1.2.3", "169.254.169.254", "192.168.0.10"]
)
def test_addresses_on_loopback_private_or_link_local_networks_are_refused(calendars, host):
    url = calendars.url("/google.ics").replace("127.0.0.1", host)

    with pytest.raises(FetchError) as error:
        fetch(url, allow_private=False, timeout=2)

    assert error.value.message == MSG_PRIVATE
    assert calendars.requests == []


def test_every_redirect_hop_is_checked_for_private_addresses(calendars, monkeypatch):
    """The first hop is the test server on 127.0.0.1, let through as if it were public; the
    redirect it answers points into a private network and is refused without being requested."""
    real_is_public = fetch_module._is_public
    monkeypatch.setattr(
        fetch_module, "_is_public", lambda address: address == "127.0.0.1" or real_is_public(address)
    )
    calendars.redirects["/out.ics"] = "http://10.0.0.7/internal.ics"

    with pytest.raises(FetchError) as error:
        fetch(calendars.url("/out.ics"), allow_private=False)

    assert calendars.hits("/out.ics") == 1
    assert error.value.message == MSG_PRIVATE


@pytest.mark.parametrize(
    "url", ["ftp://example.com/cal.ics", "file:///etc/passwd", "javascript:alert(1)", "example.com/cal.ics"]
)
def test_only_http_https_and_webcal_addresses_are_accepted(url):
    with pytest.raises(FetchError) as error:
        check_address(url)

    assert error.value.message == MSG_SCHEME


def test_a_webcal_address_is_fetched_over_https():
    assert check_address("webcal://p52-caldav.icloud.com/published/2/abc") == (
        "https://p52-caldav.icloud.com/published/2/abc"
    )


def test_a_webcal_address_to_a_plain_http_server_fails_as_a_secure_connection(calendars):
    calendars.files["/google.ics"] = fixture("google.ics")

    with pytest.raises(FetchError) as error:
        fetch(calendars.url("/google.ics", scheme="webcal"), timeout=2)

    assert "secure connection" in error.value.message or "cut off" in error.value.message


def test_a_name_that_does_not_resolve_is_reported_in_plain_words(monkeypatch):
    def no_such_name(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", no_such_name)

    with pytest.raises(FetchError) as error:
        fetch("https://no-such-host.invalid/calendar.ics", timeout=5)

    assert error.value.message == "the server name could not be found"


def test_a_slow_name_lookup_counts_toward_the_timeout(monkeypatch):
    def slow_getaddrinfo(*args, **kwargs):
        time.sleep(2)
        return []

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", slow_getaddrinfo)

    began = time.monotonic()
    with pytest.raises(FetchError) as error:
        fetch("https://calendar.example/x.ics", timeout=0.3)

    assert time.monotonic() - began < 1.5
    assert error.value.message == "the address took longer than 0.3 s to answer"
