"""In-process measurements: queries per page, slot computation time, profiles of slow pages.

These run against whatever database and settings Django is configured with (the bench database
under bench.settings in `make bench`, the test database in tests/bench).
"""

import time as clock
from datetime import UTC, datetime, timedelta

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

    `client` is anything with .get(path) returning an object with .status_code and .json()."""
    response = client.get(f"/book/slots.json?tz={ZONE}&start={clinic_today():%Y-%m-%d}&days={days}")
    if response.status_code != 200:
        return []
    return [
        datetime.fromisoformat(slot["start"]).astimezone(UTC).isoformat().replace("+00:00", "Z")
        for slot in response.json().get("slots", [])
    ]


def query_counts(paths: dict) -> dict:
    """path key -> (queries with a cold cache, queries with a warm cache), through the full stack."""
    client = Client()
    counts = {}
    for key, path in paths.items():
        cache.clear()
        pair = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            pair.append(len(queries))
        counts[key] = tuple(pair)
    return counts


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
        rules, hours, time_off = _engine_inputs(slots)
        now = timezone.now()
        seconds = []
        for _ in range(runs):
            started = clock.perf_counter()
            slots.free_slots(
                hours=hours,
                time_off=time_off,
                taken=taken,
                rules=rules,
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


def _engine_inputs(slots):
    from scheduling.models import BookingRules, TimeOff, WeeklyHours

    booking_rules = BookingRules.load()
    rules = slots.Rules(
        slot=timedelta(minutes=booking_rules.slot_minutes),
        buffer=timedelta(minutes=booking_rules.buffer_minutes),
        minimum_notice=timedelta(hours=booking_rules.minimum_notice_hours),
        horizon_days=booking_rules.horizon_days,
        daily_cap=booking_rules.daily_cap,
        step=timedelta(minutes=booking_rules.effective_step_minutes),
    )
    hours = {}
    for row in WeeklyHours.objects.all():
        hours.setdefault(row.weekday, []).append((row.start_time, row.end_time))
    time_off = [slots.Interval(*row.bounds()) for row in TimeOff.objects.all()]
    return rules, hours, time_off


def profile(path: str) -> str:
    """pyinstrument's text profile of one cold-cache request to `path`."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "pyinstrument is not installed"
    client = Client()
    client.get(path)  # imports and template loading out of the way
    cache.clear()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    client.get(path)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False)
