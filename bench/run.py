"""`python -m bench.run` (what `make bench` runs): load-test the real site, report honest ratios.

1. A bench database of its own: `<name>_bench` beside DATABASE_URL's PostgreSQL database
   (created, then dropped at the end), or an SQLite file in a temporary directory without
   DATABASE_URL. The dev and test databases are never touched (bench/environment.py, as gunicorn).
2. Production settings (DEBUG off, WhiteNoise after collectstatic into a temporary directory,
   the real middleware, a secret key made for the run, Redis db 5 as the cache, flushed at
   start and end), plus bench.urls' baseline page; SSL redirect off (plain HTTP on loopback).
3. The data (bench.data): first a small set, to count each page's queries, then the full set
   (60 articles over 6 topics, Mon-Fri 09:00-17:00, ~3,000 appointments); queries again, and the
   time to compute 62 days of slots.
4. gunicorn on a free loopback port; wrk at 16 connections for a fixed time per page after a
   warm-up, with the baseline measured again just before each page (each ratio is to that run).
   Then a stream of booking POSTs on distinct free slots, each a real form (fetched first: CSRF
   cookie and token, signed form_token; one 2-second wait for all), fired by 16 threads, and
   SQL counts overlapping confirmed appointments (bench/booking.py). Pages that miss a target are
   profiled.
5. bench/results.md (git-ignored) and the same on stdout; everything started is stopped.

Environment knobs: BENCH_SECONDS (5: per page, and per baseline run before it),
BENCH_WARMUP_SECONDS (2), BENCH_BOOKINGS (600), BENCH_BOOKING_SECONDS (12: the most spent
fetching the forms, and again posting them; less when the 270-second budget runs short),
BENCH_WORKERS (4), BENCH_THREADS (1: sync workers; more: gthread),
BENCH_REDIS_URL (redis://127.0.0.1:6379/5).
"""

import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time as clock
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.booking import BOOKING_SECONDS, CONNECTIONS, HttpSession, book_stream, count_double_bookings
from bench.environment import (
    BASE_DIR,
    REDIS_URL,
    THREADS,
    WORKERS,
    BenchDatabase,
    Server,
    configure_environment,
    flush_cache,
)

RESULTS_PATH = BASE_DIR / "bench" / "results.md"

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "2"))
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "600"))
# The whole run must end in under 5 minutes even on a busy machine: late phases shrink to fit.
BUDGET_SECONDS = 270
STARTED = clock.monotonic()

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format(
    "BENCHJSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"connect\\": %d, \\"read\\": %d, " ..
    "\\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d, \\"p50_us\\": %d, \\"p99_us\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def progress(message: str) -> None:
    print(f"bench [{clock.monotonic() - STARTED:5.0f} s] {message}", flush=True)


# --- Load drivers -----------------------------------------------------------------------------


BASELINE_PATH = "/bench/baseline/"


def status_of(url: str) -> int:
    request = urllib.request.Request(url, method="GET")  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk_load(base_url: str, script: Path):
    """A driver: path -> Load, measured by wrk after a warm-up."""
    from bench.report import Load

    def load(path: str, seconds: int = SECONDS) -> Load:
        url = base_url + path
        status = status_of(url)
        common = ["wrk", "--threads", "2", "--connections", str(CONNECTIONS), "--timeout", "5s"]
        subprocess.run([*common, "--duration", f"{WARMUP_SECONDS}s", url], capture_output=True, check=True)  # noqa: S603
        out = subprocess.run(  # noqa: S603
            [*common, "--duration", f"{seconds}s", "--script", str(script), url],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        found = re.search(r"^BENCHJSON (.*)$", out, re.MULTILINE)
        if not found:
            raise RuntimeError(f"wrk printed no summary for {url}:\n{out}")
        # Requests wrk left queued still hold the workers: let them finish before the next page.
        for _ in range(WORKERS * THREADS):
            status_of(base_url + BASELINE_PATH)
        numbers = json.loads(found.group(1))
        return Load(
            requests=numbers["requests"],
            seconds=numbers["duration_us"] / 1e6,
            p50_ms=numbers["p50_us"] / 1000,
            p99_ms=numbers["p99_us"] / 1000,
            errors=numbers["connect"] + numbers["read"] + numbers["write"] + numbers["timeout"],
            non_2xx_3xx=numbers["status"],
            status=status,
        )

    return load


# --- The measurement ----------------------------------------------------------------------------


def measure(
    *,
    load,
    session_factory,
    sizes: dict,
    bookings: int,
    conditions: dict,
    profile: bool = True,
    form_wait: float | None = None,
    threads: int = CONNECTIONS,
    repeat: int = 7,
):
    """Build the data, count queries, time the slots, drive the load, book, verify. -> Results.

    `repeat`: how many times each in-process timing is taken (the median is reported)."""
    from django.core.cache import cache
    from django.test import Client

    from bench import data
    from bench import measure as inproc
    from bench.report import PAGES, Results, booking_verdict, page_verdicts
    from scheduling.models import Appointment

    queries = {}
    paths = {}
    slots_json_ms = {}
    # The full size last: the load runs on it.
    for size_name in [name for name in ("small", "large", "full") if name in sizes]:
        progress(f"building the {size_name} data set, counting queries")
        built = data.build(**sizes[size_name])
        conditions[f"data ({size_name})"] = (
            f"{built.articles} articles over {built.topics} topics, {built.appointments} appointments "
            f"({built.upcoming_confirmed} upcoming confirmed), weekly hours Mon-Fri 09:00-17:00, "
            f"horizon {data.HORIZON_DAYS} days"
        )
        free = inproc.free_slot_starts(Client())
        paths = inproc.page_paths(
            slug=built.slug, today=inproc.clinic_today(), slot_start=free[0] if free else None
        )
        for key, pair in inproc.query_counts(paths).items():
            queries.setdefault(key, {})[size_name] = pair
        if size_name != "small":
            slots_json_ms[size_name] = inproc.slots_json_ms(runs=repeat)
    progress("CPU per request, bytes on the wire and slot computation, in-process")
    cpu = inproc.cpu_ms(paths, runs=repeat)
    wire = inproc.wire_bytes(paths)
    timings = inproc.slot_timings(runs=repeat)

    cache.clear()
    loads, baselines = {}, {}
    pages = [page for page in PAGES[1:] if page.key in paths]
    # On a machine so busy that the setup ran long, shorter runs keep the bench inside its budget
    # (each page: two warm-ups, two runs, a few seconds of draining; then ~60 s for the rest).
    left = BUDGET_SECONDS - 60 - (clock.monotonic() - STARTED)
    seconds = max(2, min(SECONDS, int(left / max(1, len(pages)) / 2 - WARMUP_SECONDS - 2)))
    if seconds < SECONDS:
        conditions["load"] = conditions.get("load", "") + f" (shortened to {seconds} s: the setup ran long)"
    for page in pages:
        progress(f"load: baseline, then {paths[page.key]} ({seconds} s each)")
        baselines[page.key] = load(paths["baseline"], seconds)
        loads[page.key] = load(paths[page.key], seconds)
    if baselines:
        runs = sorted(baselines.values(), key=lambda run: run.rps)
        loads["baseline"] = runs[len(runs) // 2]

    free = inproc.free_slot_starts(Client())
    starts = free[:bookings]
    confirmed_before = Appointment.objects.active().count()
    progress(f"booking stream: {len(starts)} distinct free slots")
    # Each of the stream's two phases gets at most a quarter of what is left of the budget.
    left = BUDGET_SECONDS - (clock.monotonic() - STARTED)
    booking_seconds = max(3.0, min(BOOKING_SECONDS, left / 4))
    booked = book_stream(
        session_factory, starts, threads=threads, form_wait=form_wait, seconds=booking_seconds
    )
    booked.new_confirmed_rows = Appointment.objects.active().count() - confirmed_before
    booked.double_bookings = count_double_bookings()
    if len(free) < bookings:
        booked.note = (booked.note + f" Only {len(free)} free slots were offered.").strip()

    results = Results(
        conditions=conditions,
        loads=loads,
        bookings=booked,
        queries=queries,
        slot_timings=timings,
        cpu_ms=cpu,
        baselines=baselines,
        wire_bytes=wire,
        slots_json_ms=slots_json_ms,
    )
    if profile and clock.monotonic() - STARTED > BUDGET_SECONDS - 30:
        results.notes.append("Profiles were skipped: the run was near its time budget.")
    elif profile:
        progress("profiles")
        for key, (_, ok, _) in page_verdicts(results).items():
            if ok is False and key in paths:
                results.profiles[key] = inproc.profile(paths[key])
        spare = [start for start in inproc.free_slot_starts(Client()) if start not in starts][-6:]
        if spare:
            booked.cpu_ms, text = inproc.booking_cost(spare)
            if not booking_verdict(results)[0]:
                results.profiles["booking"] = text
    return results


def main() -> int:
    # A plain `kill` still cleans up: the finally block below stops gunicorn and drops the database.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = clock.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    database = BenchDatabase.beside(os.environ.get("DATABASE_URL"), tmp)
    server = None
    try:
        database.create()
        configure_environment(database, tmp)
        flush_cache()
        import django
        from django.core.management import call_command

        django.setup()
        from bench import data

        progress(f"{database.vendor} database {database.name}: migrate, collectstatic")
        # collectstatic (compressing every file, as in production) runs beside the migrations.
        collectstatic = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=BASE_DIR
        )
        call_command("migrate", verbosity=0, interactive=False)
        if collectstatic.wait() != 0:
            raise RuntimeError("collectstatic failed")
        script = tmp / "summary.lua"
        script.write_text(WRK_SCRIPT)
        server = Server(tmp)
        server.start()
        progress(f"serving: {server.description}")
        load_before = os.getloadavg()
        conditions = {
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
            f"load average at start {load_before[0]:.2f} (shared with other work: absolute numbers are "
            "noisy)",
            "database": (
                f"PostgreSQL ({database.name}, created for the run and dropped after)"
                if database.vendor == "postgresql"
                else "SQLite (DATABASE_URL not set), a file in a temporary directory: "
                "concurrent booking writes lock the whole file; production numbers need PostgreSQL"
            ),
            "server": f"{server.description}; DEBUG off, WhiteNoise (collectstatic), the real middleware, "
            "Redis cache db " + REDIS_URL.rsplit("/", 1)[-1] + " (flushed at start)",
            "load": f"wrk, {CONNECTIONS} connections, 2 threads, {WARMUP_SECONDS} s warm-up, then "
            f"{SECONDS} s per page, a baseline run just before each page",
        }
        results = measure(
            load=wrk_load(server.base_url, script),
            session_factory=lambda index: HttpSession(server.base_url, index),
            sizes={"small": data.SMALL, "full": data.FULL, "large": data.LARGE},
            bookings=BOOKINGS,
            conditions=conditions,
        )
        results.worker_rss_mb = server.worker_peak_rss_mb()
        results.conditions["load average after"] = f"{os.getloadavg()[0]:.2f}"
        results.notes += [
            "Booking POSTs each carry their own X-Forwarded-For address (bench.settings trusts it, as "
            "production does behind its proxy): they stand for many patients booking at once, so the "
            "per-client booking limit is not what they measure. Mail goes to Django's dummy backend: the "
            "outbox rows are written and the request's after-commit delivery runs, but no mail server "
            "is waited for.",
            f"The booking horizon is raised to {data.HORIZON_DAYS} days in the bench data so that 62 days of "
            "slots (the most /book/slots.json serves) are 62 real days.",
        ]
        if server.log_tail():
            results.notes.append("gunicorn log (last lines): " + server.log_tail(5).replace("\n", " / "))
        results.conditions["duration"] = f"{clock.monotonic() - started:.0f} s in all"
        from bench.report import render

        text = render(results)
        RESULTS_PATH.write_text(text)
        print(text)
        progress(f"written to {RESULTS_PATH.relative_to(BASE_DIR)}")
        return 0
    finally:
        if server:
            server.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001, S110 - Django may not be set up yet
            pass
        database.drop()
        flush_cache()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
