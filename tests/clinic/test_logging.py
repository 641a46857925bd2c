"""Manage-link tokens never reach the logs."""

import logging

from clinic.logging import redact

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
