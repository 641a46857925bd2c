"""The bench must not rot: its data builder, measurements and report run here on a tiny size.

wrk and gunicorn are not used: the load driver and the booking sessions are injected, and
work through Django's test client in-process. The numbers are real measurements of those
requests; only their size is tiny.
"""

import os
import time as clock
from datetime import timedelta
from statistics import median

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from bench import data
from bench.booking import (
    APP_SERVER,
    CLIENTS,
    DATABASE,
    REST,
    ROLES,
    count_double_bookings,
    cpu_seconds_by_role,
)
from bench.report import PAGES, Bookings, Load, machine_cpu_line, render
from bench.run import measure
from scheduling.models import Appointment

TINY = {
    "small": {"articles": 3, "topics": 3, "appointments": 30},
    "full": {"articles": 6, "topics": 3, "appointments": 60},
    "large": {"articles": 6, "topics": 3, "appointments": 200, "past_days": 60},
}


def client_load(path: str, seconds: int = 0, requests: int = 3) -> Load:
    client = Client()
    timings, bad, first = [], 0, None
    for _ in range(requests):
        started = clock.perf_counter()
        response = client.get(path)
        timings.append((clock.perf_counter() - started) * 1000)
        first = first or response.status_code
        bad += response.status_code >= 400
    return Load(
        requests=requests,
        seconds=sum(timings) / 1000,
        p50_ms=median(timings),
        p99_ms=max(timings),
        non_2xx_3xx=bad,
        status=first,
    )


class ClientSession:
    """One visitor through the test client: its own cookies, address and CSRF checks on."""

    def __init__(self, index: int):
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=f"10.0.0.{index + 1}")

    def request(self, method, path, body=None):
        try:
            if method == "GET":
                response = self.client.get(path)
            else:
                response = self.client.post(path, body, content_type="application/x-www-form-urlencoded")
            headers = {name.lower(): value for name, value in response.headers.items()}
            return response.status_code, headers, response.content.decode()
        finally:
            connections.close_all()  # this worker thread's connections only


@pytest.mark.django_db(transaction=True)
def test_a_tiny_bench_run_measures_every_page_books_for_real_and_reports_every_row(settings):
    settings.ROOT_URLCONF = "bench.urls"
    settings.BOOKING_FORM_MIN_SECONDS = 0

    results = measure(
        load=client_load,
        session_factory=ClientSession,
        sizes=TINY,
        bookings=3,
        conditions={"machine": "test"},
        profile=False,
        form_wait=0,
        threads=1,  # SQLite's in-memory test database locks under concurrent writers
        repeat=1,
    )
    text = render(results)

    assert Appointment.objects.count() == 60 + 3
    for page in PAGES:
        assert results.loads[page.key].status == 200, page.key
        assert f"| {page.label} | " in text
    assert results.bookings.booked == 3, results.bookings.statuses
    assert results.bookings.new_confirmed_rows == 3
    assert results.bookings.double_bookings == 0
    assert set(results.queries["article"]) == {"small", "full", "large"}
    assert {key: sizes["full"][2] for key, sizes in results.queries.items()} == dict.fromkeys(
        results.queries, 200
    )
    assert "6 articles over 3 topics, 60 appointments" in text
    assert "6 articles over 3 topics, 200 appointments" in text
    for heading in (
        "## Load",
        "## Booking POSTs",
        "## Queries per page",
        "## Slot computation",
        "## Targets",
    ):
        assert heading in text
    assert "booking POSTs ≥ 0.08 of the baseline's req/s, p99 < 250 ms" in text
    assert "query count independent of data size" in text
    assert set(results.queries["slots"]) == {"small", "full", "large"}
    assert set(results.slots_json_ms) == {"full", "large"}
    assert "uncached 62-day slots.json with the large data within 2×" in text
    # Every page's size on the wire, compressed: the HTML pages much smaller than they render.
    assert set(results.wire_bytes) >= {page.key for page in PAGES}
    sent, raw = results.wire_bytes["times"]
    assert 0 < sent < raw / 2
    assert "## Size on the wire" in text
    assert set(results.cpu_ms) >= {page.key for page in PAGES}
    assert "not measured" not in text
    # What the POSTs cost the whole machine: here the clients and the site share this process.
    assert results.bookings.machine_cpu_ms[CLIENTS] > 0
    assert "CPU the whole machine spent while the POSTs ran, per booking: " in text


def test_the_machine_cpu_count_sees_the_cpu_this_process_spends():
    before = cpu_seconds_by_role()
    deadline = clock.process_time() + 0.3
    while clock.process_time() < deadline:
        pass

    spent = cpu_seconds_by_role() - before

    assert spent[CLIENTS] >= 0.25
    assert set(spent) <= set(ROLES)


def test_the_report_says_what_a_booking_cost_the_machine_and_what_the_target_leaves():
    bookings = Bookings(
        attempted=100,
        booked=100,
        seconds=1.0,
        machine_cpu_ms={APP_SERVER: 12.0, DATABASE: 3.0, CLIENTS: 1.0, REST: 1.5},
    )
    baseline = Load(requests=2500, seconds=1.0, p50_ms=1, p99_ms=2)

    line = machine_cpu_line(bookings, baseline=baseline)

    assert line.startswith(
        "CPU the whole machine spent while the POSTs ran, per booking: the app server's workers 12.0 ms, "
        "PostgreSQL 3.0 ms, this process (the clients) 1.0 ms, the rest (the kernel's disk writes, any "
        "other work) 1.5 ms; 17.5 ms in all."
    )
    cpus = os.cpu_count()
    assert f"At 0.08 of this run's baseline (200 bookings/s), {cpus} CPUs leave {cpus * 5:.1f} ms" in line


@pytest.mark.django_db
def test_the_data_builder_makes_past_and_upcoming_appointments_of_every_status():
    built = data.build(articles=6, topics=3, appointments=120)

    assert built.articles == 6 and built.appointments == 120
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert statuses == set(Appointment.Status.values)
    now = timezone.now()
    assert Appointment.objects.filter(start__lt=now).exists()
    assert Appointment.objects.filter(start__gt=now + timedelta(days=1), status="confirmed").exists()
    assert count_double_bookings() == 0


@pytest.mark.django_db
def test_the_double_booking_check_counts_overlapping_confirmed_appointments():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL's exclusion constraint refuses the overlap this control needs")
    data.build(articles=1, topics=1, appointments=0)
    start = timezone.now() + timedelta(days=3)
    for offset in (0, 5):  # 10-minute calls five minutes apart: overlapping
        Appointment.objects.create(
            start=start + timedelta(minutes=offset),
            end=start + timedelta(minutes=offset + 10),
            full_name="Control",
            email=f"control{offset}@example.test",
            phone="+12125550123",
            state="NY",
            time_zone="America/New_York",
            contact_method="phone",
        )

    assert count_double_bookings() == 1


@pytest.mark.django_db
def test_the_data_builder_refuses_a_database_that_is_not_for_benches(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "clinic")

    with pytest.raises(data.NotABenchDatabase):
        data.build(articles=1, topics=1, appointments=1)


@pytest.mark.django_db
def test_slot_timings_are_measured_not_reported_as_skipped():
    """slot_timings reports a failure as text instead of raising; here it must measure both."""
    from bench import measure
    from tests.scheduling.factories import make_appointment, open_every_day

    open_every_day()
    make_appointment()

    timings = measure.slot_timings(runs=1)

    assert len(timings) == 2
    assert all(isinstance(seconds, list) and seconds[0] > 0 for seconds in timings.values()), timings
