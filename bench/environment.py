"""Where `make bench` runs: a database of its own, production settings for it, and gunicorn.

The database is `<name>_bench` beside DATABASE_URL's PostgreSQL database (created, then dropped),
or an SQLite file in a temporary directory without DATABASE_URL: the dev and test databases are
never touched. Redis db 5 (BENCH_REDIS_URL) is the cache, flushed at start and end. gunicorn
serves on a free loopback port, in a session of its own, so stopping it stops its workers too.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time as clock
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")


# --- The bench database ---------------------------------------------------------------------


@dataclass
class BenchDatabase:
    url: str
    vendor: str
    name: str
    admin_url: str | None = None  # PostgreSQL: where CREATE/DROP DATABASE is sent

    @classmethod
    def beside(cls, database_url: str | None, tmp: Path) -> "BenchDatabase":
        if not database_url:
            path = tmp / "bench.sqlite3"
            return cls(url=f"sqlite:///{path}", vendor="sqlite", name=str(path))
        parts = urlsplit(database_url)
        if not parts.scheme.startswith("postgres"):
            raise SystemExit(f"make bench supports PostgreSQL or SQLite, not {parts.scheme}")
        name = parts.path.lstrip("/") or "clinic"
        bench_name = f"{name}_bench"
        return cls(
            url=urlunsplit(parts._replace(path=f"/{bench_name}")),
            vendor="postgresql",
            name=bench_name,
            admin_url=urlunsplit(parts._replace(path="/postgres")),
        )

    def _admin(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(self.admin_url)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def create(self) -> None:
        if self.vendor == "postgresql":
            self.drop()
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def configure_environment(database: BenchDatabase, tmp: Path) -> None:
    """Production settings for this process and for gunicorn (which inherits the environment)."""
    os.environ.pop("CACHE_URL", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database.url,
        REDIS_URL=REDIS_URL,
        # Outgoing mail is not what is measured (the outbox rows are still written).
        EMAIL_URL="dummymail://",
        BENCH_STATIC_ROOT=str(tmp / "static"),
    )


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "gunicorn.log"
        self.process = None

    @property
    def description(self) -> str:
        kind = f"gthread, {THREADS} threads each" if THREADS > 1 else "sync"
        return f"gunicorn, {WORKERS} workers ({kind}), 127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "clinic.wsgi", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(WORKERS), "--threads", str(THREADS), "--log-level", "warning",
                   "--error-logfile", str(self.log_path)]  # fmt: skip
        if THREADS > 1:
            command += ["--worker-class", "gthread"]
        # Its own session, so stop() ends exactly this gunicorn and its workers.
        self.process = subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True)  # noqa: S603
        deadline = clock.monotonic() + 30
        while clock.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                clock.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in 30 s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def worker_peak_rss_mb(self) -> list[float]:
        """Each worker's peak resident memory so far (Linux /proc: VmHWM), in MB."""
        if self.process is None:
            return []
        peaks = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            except OSError:
                continue  # the process ended meanwhile
            if fields.get("PPid", "").strip() == str(self.process.pid) and "VmHWM" in fields:
                peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
        return sorted(peaks)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""
