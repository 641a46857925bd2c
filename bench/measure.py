"""In-process measurements: queries per page, slot computation time, profiles of slow pages.

These run against whatever database and settings Django is configured with (the bench database
under bench.settings in `make bench`, the test database in tests/bench).
"""

import time as clock
from datetime import UTC, datetime, timedelta
from statistics import median

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scheduling.models import Appointment, clinic_zone

ZONE = "America/New_York"
STATE = "NY"
SLOT_DAYS = 62


def page_paths(*, slug: str, today, slot_start: str | None) -> dict:
    """page key -> path, for the pages of bench.report.PAGES (and the booking form)."""
    paths = {
        "baseline": "/bench/baseline/",
        "home": "/",
        "articles": "/articles/",
        "article": f"/articles/{slug}/",
        "search": "/articles/?q=naltrexone",
        "book": "/book/",
        "slots": f"/book/slots.json?tz={ZONE}&start={today:%Y-%m-%d}&days=14",
        "times": f"/book/times/?state={STATE}&tz={ZONE}&start={today:%Y-%m-%d}",
    }
    if slot_start:
        paths["details"] = details_path(slot_start)
    return paths


def details_path(slot_start: str) -> str:
    from urllib.parse import urlencode

    return "/book/details/?" + urlencode({"state": STATE, "tz": ZONE, "start": slot_start})


def clinic_today():
    return timezone.now().astimezone(clinic_zone()).date()


def free_slot_starts(client, *, days: int = SLOT_DAYS) -> list[str]:
    """Free slots as ISO UTC instants, read from /book/slots.json (empty when it does not answer).

    Leaves out the first hour after the minimum notice: those slots stop being offered while the
    bench runs, and a refusal for that would be the bench's fault, not the site's."""
    from scheduling.models import BookingRules

    response = client.get(f"/book/slots.json?tz={ZONE}&start={clinic_today():%Y-%m-%d}&days={days}")
    if response.status_code != 200:
        return []
    rules = BookingRules.load()
    earliest = timezone.now() + timedelta(hours=rules.minimum_notice_hours, minutes=60)
    starts = [datetime.fromisoformat(slot["start"]) for slot in response.json().get("slots", [])]
    return [start.astimezone(UTC).isoformat().replace("+00:00", "Z") for start in starts if start > earliest]


def query_counts(paths: dict) -> dict:
    """path key -> (queries with a cold cache, with a warm cache, HTTP status), through the full stack."""
    client = Client()
    counts = {}
    for key, path in paths.items():
        cache.clear()
        numbers = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            numbers.append(len(queries))
        counts[key] = (*numbers, response.status_code)
    return counts


def wire_bytes(paths: dict) -> dict:
    """path key -> (bytes of the body as sent to a browser that accepts gzip, bytes uncompressed)."""
    client = Client()
    sizes = {}
    for key, path in paths.items():
        sent = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
        plain = client.get(path)
        sizes[key] = (len(_body(sent)), len(_body(plain)))
    return sizes


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def slots_json_ms(*, runs: int = 5) -> float:
    """Median milliseconds of an uncached 62-day /book/slots.json, through the full stack."""
    client = Client()
    path = f"/book/slots.json?tz={ZONE}&start={clinic_today():%Y-%m-%d}&days={SLOT_DAYS}"
    samples = []
    for _ in range(runs):
        cache.clear()
        started = clock.perf_counter()
        client.get(path)
        samples.append((clock.perf_counter() - started) * 1000)
    return median(samples)


def cpu_ms(paths: dict, *, runs: int = 7) -> dict:
    """path key -> median CPU milliseconds of this process per warm request, through the full stack.

    CPU time, unlike wall time, barely moves when other work shares the machine, so it says what
    a page costs even when the load numbers are noisy."""
    client = Client()
    result = {}
    for key, path in paths.items():
        client.get(path)
        samples = []
        for _ in range(runs):
            started = clock.process_time()
            client.get(path)
            samples.append((clock.process_time() - started) * 1000)
        result[key] = median(samples)
    return result


def slot_timings(*, runs: int = 5) -> dict:
    """How long 62 days of free slots take: the pure engine given every appointment as taken
    (worst case), and the selector the pages use (queries included, cache cleared each run)."""
    try:
        from scheduling import selectors, slots
    except ImportError as exc:
        return {"slot engine / selector": f"not measured: {exc}"}
    timings = {}
    appointments = list(Appointment.objects.values_list("start", "end"))
    taken = [slots.Interval(start, end) for start, end in appointments]
    engine_label = f"`free_slots` (pure), {SLOT_DAYS} days, all {len(taken)} appointments as taken"
    try:
        # The selector's own loading of hours, time off and rules; only `taken` is the worst case.
        inputs = selectors.load_availability(
            first_day=clinic_today(), last_day=clinic_today() + timedelta(days=SLOT_DAYS)
        )
        now = timezone.now()
        seconds = []
        for _ in range(runs):
            started = clock.perf_counter()
            slots.free_slots(
                hours=inputs.hours,
                time_off=inputs.time_off,
                taken=taken,
                rules=inputs.rules,
                now=now,
                start_date=clinic_today(),
                days=SLOT_DAYS,
                clinic_zone=clinic_zone(),
            )
            seconds.append(clock.perf_counter() - started)
        timings[engine_label] = seconds
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        timings[engine_label] = f"not measured: {type(exc).__name__}: {exc}"
    selector_label = f"`patient_slots` selector, {SLOT_DAYS} days, {ZONE} (queries included, cold cache)"
    try:
        seconds = []
        for _ in range(runs):
            cache.clear()
            started = clock.perf_counter()
            selectors.patient_slots(tz=ZONE, start=clinic_today(), days=SLOT_DAYS)
            seconds.append(clock.perf_counter() - started)
        timings[selector_label] = seconds
    except Exception as exc:  # noqa: BLE001
        timings[selector_label] = f"not measured: {type(exc).__name__}: {exc}"
    return timings


def profile(path: str) -> str:
    """pyinstrument's text profile of one cold-cache request to `path`, and its slowest queries."""
    from pyinstrument import Profiler

    client = Client()
    client.get(path)  # imports and template loading out of the way
    cache.clear()
    profiler = Profiler(interval=0.0005)
    with CaptureQueriesContext(connection) as queries:
        profiler.start()
        client.get(path)
        profiler.stop()
    return profiler.output_text(unicode=False, color=False) + slowest_queries(queries.captured_queries)


def slowest_queries(captured: list, *, top: int = 3) -> str:
    ordered = sorted(captured, key=lambda query: float(query["time"]), reverse=True)[:top]
    lines = [f"\nSlowest queries ({len(captured)} in all):"]
    for query in ordered:
        sql = " ".join(query["sql"].split())
        lines.append(f"  {float(query['time']) * 1000:.1f} ms  {sql[:400]}{' ...' if len(sql) > 400 else ''}")
    return "\n".join(lines) + "\n"


def booking_cost(starts: list[str]) -> tuple[list[float], str]:
    """Book `starts` one by one in-process, as a patient would (form first, then the POST):
    CPU milliseconds of each POST but the last, and pyinstrument's profile of the last."""
    from urllib.parse import urlencode

    from django.conf import settings
    from pyinstrument import Profiler

    from bench.booking import booking_fields

    forms = []
    for index, start in enumerate(starts):
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR=f"10.255.0.{index + 1}")
        page = client.get(details_path(start)).content.decode()
        forms.append((client, urlencode(booking_fields(page, index=99000 + index))))
    clock.sleep(getattr(settings, "BOOKING_FORM_MIN_SECONDS", 2) + 0.1)
    cpu, statuses = [], []
    profiler = Profiler(interval=0.0005)
    for number, (client, body) in enumerate(forms, start=1):
        last = number == len(forms)
        if last:
            profiler.start()
        started = clock.process_time()
        response = client.post("/book/details/", body, content_type="application/x-www-form-urlencoded")
        statuses.append(response.status_code)
        if last:
            profiler.stop()
        else:
            cpu.append((clock.process_time() - started) * 1000)
    text = f"(responses {statuses})\n" + profiler.output_text(unicode=False, color=False)
    return cpu, text
