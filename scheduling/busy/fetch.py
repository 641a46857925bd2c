"""Fetch a calendar file from its address, carefully: the address comes from admin and the
answer from a stranger's server.

Only http(s) (a `webcal://` address is https), one deadline for the whole fetch, a size limit,
a few redirects, conditional requests (ETag / Last-Modified), and no addresses that resolve to
loopback, private or link-local networks unless BUSY_CALENDAR_ALLOW_PRIVATE_ADDRESSES is on: a
calendar address must not become a way to reach the servers' own network. The address checked
is the address connected to (no second DNS lookup that could answer differently).

Errors are `FetchError` with a message in plain words for staff. No message carries the
address, which is a secret.
"""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "clinic-busy-calendars/1.0"

MSG_SCHEME = "the address must start with https://, http:// or webcal://"
MSG_NO_HOST = "the address has no server name"
MSG_PRIVATE = "the address points to a private or local network, which is not allowed"
MSG_NOT_FOUND = "the server name could not be found"
MSG_CONNECT = "the server could not be reached"
MSG_TLS = "the secure connection failed (the server's certificate is not valid)"
MSG_REDIRECTS = "the address redirected too many times"
MSG_BAD_REDIRECT = "the address redirected without saying where to"
MSG_BROKEN = "the server's answer was cut off or not understood"


class FetchError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    """A calendar file (`body`), or `not_modified` when the server said 304."""

    not_modified: bool
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


def timeout_message(seconds: float) -> str:
    return f"the address took longer than {seconds:g} s to answer"


def size_message(limit: int) -> str:
    return f"the calendar file is larger than {_size(limit)}"


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float | None = None,
    max_bytes: int | None = None,
    max_redirects: int | None = None,
    allow_private: bool | None = None,
) -> Fetched:
    """GET `url` and return its body (or `not_modified`); limits default to the settings.

    Raises FetchError, whose message says in plain words what went wrong.
    """
    timeout = settings.BUSY_CALENDAR_TIMEOUT_SECONDS if timeout is None else timeout
    max_bytes = settings.BUSY_CALENDAR_MAX_BYTES if max_bytes is None else max_bytes
    max_redirects = settings.BUSY_CALENDAR_MAX_REDIRECTS if max_redirects is None else max_redirects
    if allow_private is None:
        allow_private = settings.BUSY_CALENDAR_ALLOW_PRIVATE_ADDRESSES
    deadline = time.monotonic() + timeout
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    for _ in range(max_redirects + 1):
        try:
            status, answer_headers, body = _get(
                url, headers=headers, deadline=deadline, max_bytes=max_bytes, allow_private=allow_private
            )
        except TimeoutError:
            raise FetchError(timeout_message(timeout)) from None
        if status in REDIRECTS:
            location = answer_headers.get("Location")
            if not location:
                raise FetchError(MSG_BAD_REDIRECT)
            url = urljoin(url, location)
            continue
        if status == 304:
            return Fetched(not_modified=True, etag=etag, last_modified=last_modified)
        if status != 200:
            raise FetchError(f"the address answered {status} ({http.client.responses.get(status, 'error')})")
        return Fetched(
            not_modified=False,
            body=body,
            etag=answer_headers.get("ETag", "")[:200],
            last_modified=answer_headers.get("Last-Modified", "")[:100],
        )
    raise FetchError(MSG_REDIRECTS)


def check_address(url: str) -> str:
    """The address as it will be fetched (webcal -> https); FetchError when it cannot be."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        scheme = "https"
    if scheme not in ("http", "https"):
        raise FetchError(MSG_SCHEME)
    if not parts.hostname:
        raise FetchError(MSG_NO_HOST)
    return parts._replace(scheme=scheme).geturl()


def _get(url: str, *, headers: dict, deadline: float, max_bytes: int, allow_private: bool):
    url = check_address(url)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _safe_address(parts.hostname, port, allow_private=allow_private, deadline=deadline)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, port, timeout=_remaining(deadline))
    # Connect to the address just checked, not to whatever a second lookup would answer. TLS still
    # checks the certificate against the host name (HTTPSConnection passes it as server_hostname).
    connection._create_connection = lambda _, *args, **kwargs: socket.create_connection(
        (address, port), *args, **kwargs
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers=headers)
        # Kept: the connection lets go of its socket once the answer says it will close.
        sock = connection.sock
        response = connection.getresponse()
        if response.status != 200:
            return response.status, response.headers, b""
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchError(size_message(max_bytes))
        chunks, size = [], 0
        while True:
            # One deadline for the whole body: a server that trickles bytes cannot hold us.
            sock.settimeout(_remaining(deadline))
            chunk = response.read1(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(size_message(max_bytes))
            chunks.append(chunk)
        return response.status, response.headers, b"".join(chunks)
    except ssl.SSLError:
        raise FetchError(MSG_TLS) from None
    except (TimeoutError, FetchError):
        raise
    except (http.client.HTTPException, ConnectionError):
        raise FetchError(MSG_BROKEN) from None
    except OSError:
        raise FetchError(MSG_CONNECT) from None
    finally:
        connection.close()


def _safe_address(host: str, port: int, *, allow_private: bool, deadline: float) -> str:
    """An IP address of `host` to connect to; FetchError if any of them is not public."""
    addresses = [info[4][0] for info in _lookup(host, port, deadline=deadline)]
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise FetchError(MSG_PRIVATE)
    return addresses[0]


def _lookup(host: str, port: int, *, deadline: float) -> list:
    """getaddrinfo within the deadline: it takes no timeout of its own, so it runs in a thread
    that is left behind (it ends by itself) when the name server is slower than the deadline."""
    answer: dict = {}

    def lookup():
        try:
            answer["found"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            answer["found"] = None

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(_remaining(deadline))
    if "found" not in answer:
        raise TimeoutError
    if not answer["found"]:
        raise FetchError(MSG_NOT_FOUND)
    return answer["found"]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, private, link-local, shared and reserved ranges.
    return ip.is_global and not ip.is_multicast


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    return f"{limit:,} bytes"
