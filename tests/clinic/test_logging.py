"""Manage-link tokens never reach the logs."""

import logging

from clinic.logging import RedactManageTokens, redact

TOKEN = "Sg4kq1xY0lWw7bYV3mJfJdC2kR9tQe8uN5aZp6hLxcE"


def test_a_refused_manage_link_is_logged_without_its_token(client, caplog, db):
    with caplog.at_level(logging.INFO):
        response = client.get(f"/book/manage/{TOKEN}/")

    assert response.status_code == 404
    assert "/book/manage/[redacted]/" in caplog.text  # the request was logged, without the token
    assert TOKEN not in caplog.text


def test_only_the_token_is_blanked():
    assert redact(f'"GET /book/manage/{TOKEN}/cancel/?x=1 HTTP/1.1" 405') == (
        '"GET /book/manage/[redacted]/cancel/?x=1 HTTP/1.1" 405'
    )
    assert redact("Not Found: /articles/naltrexone/") == "Not Found: /articles/naltrexone/"


def test_a_manage_link_post_refused_for_csrf_is_logged_without_its_token(caplog, db):
    from django.test import Client

    with caplog.at_level(logging.INFO):
        response = Client(enforce_csrf_checks=True).post(f"/book/manage/{TOKEN}/cancel/")

    assert response.status_code == 403
    assert "Forbidden" in caplog.text  # the refusal was logged, without the token
    assert TOKEN not in caplog.text


def test_every_line_the_console_writes_has_secret_links_blanked(settings):
    console = settings.LOGGING["handlers"]["console"]
    [name] = console["filters"]
    record = logging.LogRecord(
        "any.logger", logging.INFO, __file__, 1, "GET %s", (f"/book/manage/{TOKEN}/",), None
    )

    assert settings.LOGGING["filters"][name]["()"] == "clinic.logging.RedactManageTokens"
    assert RedactManageTokens().filter(record)
    assert record.getMessage() == "GET /book/manage/[redacted]/"
