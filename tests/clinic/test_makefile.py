"""`make run` serves on HOST:PORT, and the emails it writes link there (`make -n` only prints)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def run_command(*args: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | env
    printed = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout
    [line] = [line for line in printed.splitlines() if "runserver" in line]
    return line


def test_email_links_follow_the_port_the_dev_server_runs_on():
    assert run_command("PORT=8711") == (
        "SITE_URL='http://127.0.0.1:8711' .venv/bin/python manage.py runserver 127.0.0.1:8711"
    )


def test_the_default_port_is_8000():
    assert run_command().startswith("SITE_URL='http://127.0.0.1:8000' ")


def test_a_site_url_that_is_set_wins():
    assert run_command("PORT=8711", SITE_URL="https://clinic.example").startswith(
        "SITE_URL='https://clinic.example' "
    )
