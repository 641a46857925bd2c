"""Real mail servers on 127.0.0.1 for tests: one that receives, and a "black hole" that accepts
connections and never says a word (a hung mail server)."""

import socketserver
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.connections = 0
        self.messages = []  # email.message.EmailMessage, in the order received
        self.lock = threading.Lock()
        self.open_sockets = []

    @property
    def port(self) -> int:
        return self.server_address[1]


class _Receiver(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: greeting, EHLO, MAIL, RCPT, DATA, RSET, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        with self.server.lock:
            self.server.connections += 1
        self.reply("220 127.0.0.1 test mail server")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith("EHLO"):
                self.reply("250-127.0.0.1")
                self.reply("250 8BITMIME")
            elif command.startswith("DATA"):
                self.reply("354 end with <CRLF>.<CRLF>")
                data = []
                while (chunk := self.rfile.readline()) != b".\r\n":
                    if not chunk:
                        return  # the sender went away mid-message: nothing was delivered
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                with self.server.lock:
                    self.server.messages.append(message_from_bytes(b"".join(data), policy=policy.default))
                self.reply("250 queued")
            elif command.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


class _BlackHole(socketserver.BaseRequestHandler):
    """Accepts, then says nothing and reads nothing until the server stops."""

    def handle(self):
        with self.server.lock:
            self.server.connections += 1
            self.server.open_sockets.append(self.request)
        self.server.stopping.wait()


@contextmanager
def _running(server: _Server):
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        for sock in server.open_sockets:
            sock.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def mail_server():
    """A mail server that receives every message: `.messages`, `.connections`, `.port`."""
    with _running(_Server(_Receiver)) as server:
        yield server


@contextmanager
def black_hole_mail_server():
    """A hung mail server: accepts connections (counted in `.connections`), never answers."""
    with _running(_Server(_BlackHole)) as server:
        yield server


def use_smtp(settings, port: int) -> None:
    """Point Django's SMTP backend at a test server on 127.0.0.1 (pytest-django's `settings`)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
