"""Public pages never read a session: only staff have one, and a visitor without the session cookie
is answered without loading a session or building the signed-in user (django-otp's second-factor
state included). Staff keep their own uncached pages."""

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.test import Client

from tests.education.factories import make_article
from tests.scheduling.factories import open_every_day
from tests.staff import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_reads(monkeypatch):
    reads = []
    original = SessionBase._get_session

    def spy(self, *args, **kwargs):
        reads.append(self.session_key)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SessionBase, "_get_session", spy)
    return reads


def public_paths() -> list[str]:
    article = make_article()
    open_every_day()
    return [
        "/",
        "/es/",
        "/articles/",
        article.get_absolute_url(),
        "/articles/?q=naltrexone",
        "/book/",
        "/es/book/",
    ]


def test_cached_public_pages_read_no_session_built_or_served_from_the_cache(client, session_reads):
    for path in public_paths():
        built = client.get(path)
        served = client.get(path)

        assert built.status_code == served.status_code == 200, path
        assert built.content == served.content, path
        # A browser still keeps the anonymous page apart from a staff member's.
        assert "Cookie" in served["Vary"], path
    assert session_reads == []


def test_a_signed_in_staff_member_gets_fresh_uncached_pages():
    from tests.scheduling import admin_factories as f

    client = Client()
    paths = public_paths()
    for path in paths:
        client.get(path)  # cached for anonymous visitors
    staff_login(client, f.superuser())

    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
