import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

from clinic import views


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    # A real connection attempt to a port where no database listens.
    unreachable = {
        **settings.DATABASES["default"],
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "127.0.0.1",
        "PORT": "9",
        "NAME": "clinic",
        "USER": "postgres",
        "OPTIONS": {"connect_timeout": 2},
    }
    monkeypatch.setattr(views, "connections", ConnectionHandler({"default": unreachable}))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"database unavailable"
