import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Bootstrap 5.3.8's release files, byte for byte (from django-include-bootstrap).
BOOTSTRAP_SHA256 = {
    "/static/css/bootstrap.min.css": "d85327d99c7a3ee1f9b5d0500d1370acea3ad2db39c163c2f51f232baedbdede",
    "/static/js/bootstrap.bundle.min.js": "e4fd49181388c48ec5040bd3fe66f57c29c8e67fcd8502b3354b96ec7ab47cc7",
}


def production_env(**overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"REDIS_URL", "CACHE_URL"}
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-secret-for-the-test-only-9f8e7d",
        DJANGO_ALLOWED_HOSTS="clinic.example",
        # Production shares one cache between app servers (the check does not connect to it).
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_production_caches_in_each_process():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(REDIS_URL=None))

    assert result.returncode != 0
    assert "clinic.W001" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=None))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_unknown_host_header_is_refused_with_400(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400


@pytest.mark.django_db
def test_public_pages_send_security_headers(client):
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("url", sorted(BOOTSTRAP_SHA256))
def test_bootstrap_is_served_by_the_site_itself_unmodified(client, url):
    response = client.get(url)

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == BOOTSTRAP_SHA256[url]
