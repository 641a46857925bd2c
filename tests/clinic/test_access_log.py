"""gunicorn's access log, as configured by gunicorn.conf.py: no live manage link or staff feed in it."""

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

from clinic.access_log import RedactingLogger, redact_atoms

ROOT = Path(__file__).resolve().parents[2]
MANAGE_TOKEN = "Sg4kq1xY0lWw7bYV3mJfJdC2kR9tQe8uN5aZp6hLxcE"
FEED_TOKEN = "q9VYzT3n0bXk4cJ2mR7wLs8dFh1gAe5uPiOo6tNy"


def logger_from_the_shipped_config(access_log: Path) -> RedactingLogger:
    cfg = Config()
    for name, value in runpy.run_path(str(ROOT / "gunicorn.conf.py")).items():
        if name in cfg.settings:
            cfg.set(name, value)
    cfg.set("accesslog", str(access_log))
    return cfg.logger_class(cfg)


def test_the_shipped_config_logs_requests_with_the_redacting_logger(tmp_path):
    logger = logger_from_the_shipped_config(tmp_path / "access.log")

    assert isinstance(logger, RedactingLogger)


def test_the_access_log_blanks_manage_and_feed_tokens_in_path_query_referrer_and_redirect(tmp_path):
    log = tmp_path / "access.log"
    logger = logger_from_the_shipped_config(log)
    requests = [
        (f"/book/manage/{MANAGE_TOKEN}/move/", "", f"https://clinic.example/book/manage/{MANAGE_TOKEN}/"),
        (f"/admin/scheduling/appointment/feed/{FEED_TOKEN}.ics", "", "-"),
        ("/static/css/site.css", "v=1", f"https://clinic.example/book/manage/{MANAGE_TOKEN}/?moved=1"),
    ]
    for path, query, referrer in requests:
        environ = {
            "REQUEST_METHOD": "POST",
            "RAW_URI": f"{path}?{query}" if query else path,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_REFERER": referrer,
        }
        response = SimpleNamespace(
            status="302 Found", sent=0, headers=[("Location", f"/book/manage/{MANAGE_TOKEN}/?moved=1")]
        )
        request = SimpleNamespace(headers=[("REFERER", referrer), ("X-FORWARDED-FOR", "203.0.113.9")])
        logger.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()

    lines = log.read_text().splitlines()
    assert len(lines) == 3
    text = "\n".join(lines)
    assert MANAGE_TOKEN not in text and FEED_TOKEN not in text
    assert "/book/manage/[redacted]/move/" in lines[0]
    assert "/admin/scheduling/appointment/feed/[redacted]" in lines[1]
    assert '"POST /static/css/site.css?v=1 HTTP/1.1" 302' in lines[2]
    assert "203.0.113.9" in lines[0]  # the client's address as the proxy saw it


def test_redact_atoms_blanks_every_field_and_keeps_the_rest():
    atoms = {
        "r": f"GET /book/manage/{MANAGE_TOKEN}/ HTTP/1.1",
        "{location}o": f"/book/manage/{MANAGE_TOKEN}/?moved=1",
        "s": "200",
        "B": 1234,
    }

    assert redact_atoms(atoms) == {
        "r": "GET /book/manage/[redacted]/ HTTP/1.1",
        "{location}o": "/book/manage/[redacted]/?moved=1",
        "s": "200",
        "B": 1234,
    }
