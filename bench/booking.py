"""The booking stream of `make bench`: many patients booking distinct free times at once.

Each booking is a real form over real HTTP: the form page is fetched first (CSRF cookie and token,
the signed form token), filled in as a patient would, and posted once the form's minimum time has
passed. Only the POSTs are timed. While they run, the CPU every process on the machine spends is
counted (/proc), so the report can say what one booking costs the whole machine: the app server's
workers, PostgreSQL, Redis, this process (the clients) and the rest (the kernel's disk work...).
"""

import os
import re
import time as clock
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

# Clients at once: wrk's connections on each page, and the booking stream's threads.
CONNECTIONS = 16
FORM_MIN_SECONDS = 2.0  # the booking form refuses a POST sooner than this after its GET
BOOKING_SECONDS = float(os.environ.get("BENCH_BOOKING_SECONDS", "12"))


class FormFields(HTMLParser):
    """Every named field of the page's POST form, with the value the page gave it."""

    def __init__(self):
        super().__init__()
        self.fields = {}
        self.in_post_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_post_form = (attrs.get("method") or "").lower() == "post"
        elif self.in_post_form and tag in ("input", "select", "textarea") and attrs.get("name"):
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                self.fields.setdefault(attrs["name"], "")
            else:
                self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_post_form = False


def booking_fields(page_html: str, *, index: int) -> dict:
    """The form as the page served it (CSRF token, form_token, state, zone, start), filled in
    the way a patient would."""
    parser = FormFields()
    parser.feed(page_html)
    fields = dict(parser.fields)
    fields.update(
        full_name=f"Bench Booker {index:05d}",
        email=f"booker{index:05d}@example.test",
        phone=f"+1212555{index % 100:04d}",
        contact_method="video" if index % 2 else "phone",
        note="",
        confirm_residence="on",
        confirm_not_emergency="on",
        website="",
    )
    return fields


class HttpSession:
    """One patient's visit over real HTTP: its own cookies and its own client address."""

    def __init__(self, base_url: str, index: int):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = {}
        # Many patients, as behind the production proxy: the booking throttle counts per client.
        self.headers = {"X-Forwarded-For": f"10.{index >> 16 & 255}.{index >> 8 & 255}.{index & 255}"}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()


def book_stream(
    session_factory,
    starts: list[str],
    *,
    threads: int = CONNECTIONS,
    form_wait: float | None = None,
    seconds: float = BOOKING_SECONDS,
):
    """Book each of `starts` once: fetch every form first, wait out the form's minimum time once,
    then POST them all from `threads` threads. Only the POSTs are timed. Forms not fetched, or
    not posted, within `seconds` each are left out (not attempted), so the bench ends on time."""
    from bench.measure import details_path
    from bench.report import Bookings

    prepare_until = clock.monotonic() + seconds

    def prepare(item):
        index, start = item
        if clock.monotonic() > prepare_until:
            return None
        session = session_factory(index)
        status, _, page = session.request("GET", details_path(start))
        return session, (booking_fields(page, index=index) if status == 200 else None), status

    with ThreadPoolExecutor(threads) as pool:
        prepared = [item for item in pool.map(prepare, enumerate(starts)) if item is not None]
    clock.sleep(FORM_MIN_SECONDS + 0.2 if form_wait is None else form_wait)
    post_until = clock.monotonic() + seconds

    def post(item):
        session, fields, get_status = item
        if clock.monotonic() > post_until:
            return None
        if fields is None:
            return f"form GET {get_status}", 0.0, ""
        started = clock.perf_counter()
        try:
            status, headers, text = session.request("POST", "/book/details/", urlencode(fields))
        except OSError as exc:
            return type(exc).__name__, (clock.perf_counter() - started) * 1000, ""
        elapsed = (clock.perf_counter() - started) * 1000
        if status in (302, 303) and "/book/confirmed/" in headers.get("location", ""):
            return "booked", elapsed, ""
        return f"{status}: {page_message(text)}" if status == 200 else str(status), elapsed, text

    cpu_before = cpu_seconds_by_role()
    started = clock.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        outcomes = [outcome for outcome in pool.map(post, prepared) if outcome is not None]
    elapsed = clock.perf_counter() - started
    cpu_spent = cpu_seconds_by_role() - cpu_before
    statuses = Counter(outcome for outcome, _, _ in outcomes)
    notes = []
    if len(outcomes) < len(starts):
        left_out = len(starts) - len(outcomes)
        notes.append(
            f"{left_out} of {len(starts)} slots were left out: the stream stops fetching forms, "
            f"and posting them, after {seconds:g} s each."
        )
    return Bookings(
        attempted=len(outcomes),
        booked=statuses["booked"],
        seconds=elapsed,
        latencies_ms=[ms for outcome, ms, _ in outcomes if ms],
        errors=len(outcomes) - statuses["booked"],
        statuses=dict(statuses),
        note=" ".join(notes),
        machine_cpu_ms={role: spent * 1000 / statuses["booked"] for role, spent in cpu_spent.items() if spent}
        if statuses["booked"]
        else {},
    )


def page_message(html: str) -> str:
    """What a refused form tells the patient (its error summary), for the report."""
    found = re.search(r'<div[^>]*class="[^"]*alert[^"]*"[^>]*>(.*?)</div>', html, re.DOTALL)
    text = found.group(1) if found else re.sub(r"(?s).*<main[^>]*>", "", html)[:300]
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:200]


# --- Counting -----------------------------------------------------------------------------------


# Who spent the machine's CPU, by process (see `cpu_seconds_by_role`), in the report's order.
APP_SERVER, DATABASE, CACHE, CLIENTS, REST = (
    "the app server's workers",
    "PostgreSQL",
    "Redis",
    "this process (the clients)",
    "the rest (the kernel's disk writes, any other work)",
)
ROLES = [APP_SERVER, DATABASE, CACHE, CLIENTS, REST]


def cpu_seconds_by_role() -> Counter:
    """CPU seconds every process on the machine has spent so far (user and system, from /proc),
    summed by role. Empty where there is no /proc (the report then says nothing of it)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    spent = Counter()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # the process ended meanwhile
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        if int(stat.parent.name) == os.getpid():
            role = CLIENTS
        elif b"gunicorn" in command:
            role = APP_SERVER
        elif name.startswith("postgres"):
            role = DATABASE
        elif name.startswith("redis"):
            role = CACHE
        else:
            role = REST
        spent[role] += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return spent


def count_double_bookings() -> int:
    """Pairs of confirmed appointments whose times overlap (the database should refuse every one)."""
    from django.db import connection

    from scheduling.models import Appointment

    table = connection.ops.quote_name(Appointment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} a JOIN {table} b ON a.id < b.id "  # noqa: S608
            "WHERE a.status = 'confirmed' AND b.status = 'confirmed' "
            'AND a.start < b."end" AND b.start < a."end"'
        )
        return cursor.fetchone()[0]
