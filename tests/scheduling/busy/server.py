"""A real HTTP server on 127.0.0.1 for the busy-calendar tests: serves calendar files with an
ETag and Last-Modified (answering 304 to a matching conditional request), and on demand a 404,
a slow answer, an oversized body or a redirect."""

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
LAST_MODIFIED = "Sat, 28 Nov 2026 15:00:00 GMT"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class CalendarServer:
    """Routes by path: `files` (served with an ETag), `statuses` (an error answer), `delays`
    (seconds to wait before answering), `redirects` (path -> Location), `oversized` (path ->
    byte count, sent without a Content-Length). `requests` records (path, headers) of each GET."""

    files: dict[str, bytes] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    oversized: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    port: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)

    @staticmethod
    def etag(body: bytes) -> str:
        return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _handler(server: CalendarServer):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            path = self.path
            server.requests.append((path, dict(self.headers)))
            if path in server.delays:
                server.stopping.wait(server.delays[path])
            if path in server.redirects:
                self._answer(302, headers={"Location": server.redirects[path]})
            elif path in server.statuses:
                self._answer(server.statuses[path], b"<html><body>Not here</body></html>")
            elif path in server.oversized:
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Connection", "close")
                self.end_headers()
                line = b"X-FILLER:" + b"x" * 1000 + b"\r\n"
                sent = 0
                while sent < server.oversized[path]:
                    self.wfile.write(line)
                    sent += len(line)
            elif path in server.files:
                body = server.files[path]
                etag = server.etag(body)
                if self.headers.get("If-None-Match") == etag:
                    self._answer(304, headers={"ETag": etag})
                else:
                    self._answer(
                        200,
                        body,
                        headers={
                            "Content-Type": "text/calendar; charset=utf-8",
                            "ETag": etag,
                            "Last-Modified": LAST_MODIFIED,
                        },
                    )
            else:
                self._answer(404, b"<html><body>Not found</body></html>")

        def _answer(self, status: int, body: bytes = b"", headers: dict | None = None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def log_message(self, format, *args):  # quiet
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up early (size limit, timeout) is what some tests do


def start(server: CalendarServer) -> ThreadingHTTPServer:
    httpd = _QuietServer(("127.0.0.1", 0), _handler(server))
    server.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd


def stop(server: CalendarServer, httpd: ThreadingHTTPServer) -> None:
    server.stopping.set()
    httpd.shutdown()
    httpd.server_close()
