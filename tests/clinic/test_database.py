"""The laptop database (SQLite) under concurrent writers, as `make run` uses it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Two transactions that read, then write (as a booking does), started together on one SQLite file.
TWO_WRITERS = """
import threading, time
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE booking (n integer)")
barrier, errors = threading.Barrier(2), []

def book():
    try:
        barrier.wait()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM booking")
            time.sleep(0.3)
            cursor.execute("INSERT INTO booking VALUES (1)")
    except Exception as exc:
        errors.append(str(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=book) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM booking")
    print(cursor.fetchone()[0], errors)
"""


def test_concurrent_writers_on_sqlite_wait_their_turn_instead_of_failing(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", TWO_WRITERS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 []"  # both written; no "database is locked"
