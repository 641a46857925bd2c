"""What a bench run measured, the targets (issue 15), and bench/results.md.

Absolute numbers change from machine to machine; the ratio of each page's throughput to the
baseline page's in the same run is what two runs can compare.
"""

import os
from dataclasses import dataclass, field
from statistics import median


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    min_ratio: float | None  # of the baseline's requests per second
    max_p99_ms: float | None = None
    html: bool = True  # an HTML page: its compressed size on the wire has a target


# Every row of the load table, in order. The baseline must stay first.
PAGES = [
    Page("baseline", "baseline (fixed page, same middleware)", None, html=False),
    Page("home", "`/`", 0.7, 50),
    Page("articles", "`/articles/`", 0.7, 50),
    Page("article", "`/articles/<slug>/`", 0.7, 50),
    Page("search", "`/articles/?q=naltrexone`", 0.7, 50),
    Page("book", "`/book/`", 0.7, 50),
    Page("slots", "`/book/slots.json` (14 days)", 0.7, 50, html=False),
    Page("times", "`/book/times/` (step 2)", 0.5, 50),
    Page("details", "`/book/details/` GET (step 3)", 0.5, 50),
]
# Booking POSTs: bookings a second over the baseline's requests a second in the same run.
BOOKING_MIN_RATIO = 0.08
BOOKING_MAX_P99_MS = 250
# No public page's HTML is bigger than this on the wire (compressed, as browsers ask for it).
MAX_WIRE_BYTES = 12 * 1024
# A gunicorn worker's peak resident memory after the whole run.
MAX_WORKER_RSS_MB = 150
# Uncached 62-day slots.json with the large data set, at most this many times its time with the full one.
MAX_SLOTS_SCALING = 2.0


@dataclass
class Load:
    """One URL under load for a fixed time (wrk, or an in-process driver in tests)."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0  # connect/read/write/timeout errors
    non_2xx_3xx: int = 0
    status: int | None = None  # of a single check request before the load
    note: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Bookings:
    attempted: int
    booked: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict = field(default_factory=dict)  # HTTP status (or exception name) -> count
    new_confirmed_rows: int | None = None  # confirmed appointments the run added, counted in SQL
    double_bookings: int | None = None  # pairs of overlapping confirmed appointments, counted in SQL
    cpu_ms: list = field(default_factory=list)  # CPU of single in-process booking POSTs, after the stream
    machine_cpu_ms: dict = field(default_factory=dict)  # role -> CPU ms per booking, whole machine
    note: str = ""

    @property
    def rate(self) -> float:
        return self.booked / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Results:
    conditions: dict  # label -> text, shown first
    loads: dict  # page key -> Load
    bookings: Bookings | None
    queries: dict  # page key -> {"small": (cold, warm), "full": (cold, warm)}
    slot_timings: dict  # label -> list of seconds, or a str saying why it was not measured
    cpu_ms: dict = field(default_factory=dict)  # page key -> CPU ms per warm request, in-process
    baselines: dict = field(default_factory=dict)  # page key -> the baseline run just before it
    wire_bytes: dict = field(default_factory=dict)  # page key -> (bytes sent compressed, uncompressed)
    worker_rss_mb: list = field(default_factory=list)  # peak resident memory of each gunicorn worker
    slots_json_ms: dict = field(default_factory=dict)  # data size -> median ms, uncached 62-day slots.json
    profiles: dict = field(default_factory=dict)  # page key -> text
    notes: list = field(default_factory=list)


def machine_cpu_line(bookings: Bookings, *, baseline: Load | None) -> str:
    """What one booking of the stream cost the whole machine, by role, and what the target leaves."""
    from bench.booking import ROLES

    spent = bookings.machine_cpu_ms
    parts = [f"{role} {spent[role]:.1f} ms" for role in ROLES if spent.get(role)]
    text = (
        "CPU the whole machine spent while the POSTs ran, per booking: "
        + ", ".join(parts)
        + f"; {sum(spent.values()):.1f} ms in all."
    )
    if baseline is not None and baseline.rps:
        cpus = os.cpu_count() or 1
        rate = BOOKING_MIN_RATIO * baseline.rps
        text += (
            f" At {BOOKING_MIN_RATIO} of this run's baseline ({rate:.0f} bookings/s), {cpus} CPUs leave "
            f"{cpus * 1000 / rate:.1f} ms of CPU per booking, for all of them together."
        )
    return text


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def page_verdicts(results: Results) -> dict:
    """page key -> (ratio or None, passed or None (no target), why)."""
    verdicts = {}
    for page in PAGES:
        load = results.loads.get(page.key)
        if load is None:
            verdicts[page.key] = (None, False if page.min_ratio else None, "not measured")
            continue
        baseline = baseline_for(results, page.key)
        ratio = load.rps / baseline.rps if baseline and baseline.rps else None
        reasons = []
        if load.errors or load.non_2xx_3xx or (load.status is not None and load.status >= 400):
            reasons.append(f"{load.errors + load.non_2xx_3xx} errors, first status {load.status}")
        if not load.requests:
            reasons.append("no request completed in time")
        if page.min_ratio is not None and (ratio is None or ratio < page.min_ratio):
            reasons.append(f"ratio below {page.min_ratio}")
        if page.max_p99_ms is not None and load.p99_ms >= page.max_p99_ms:
            reasons.append(f"p99 not under {page.max_p99_ms:g} ms")
        if page.min_ratio is None and page.key != "baseline":
            verdicts[page.key] = (ratio, False if reasons else None, "; ".join(reasons))
        else:
            verdicts[page.key] = (ratio, not reasons, "; ".join(reasons))
    return verdicts


def baseline_for(results: Results, key: str) -> Load | None:
    """The baseline run just before this page's (the load on a shared machine drifts), else the
    run's baseline."""
    return results.baselines.get(key) or results.loads.get("baseline")


def query_verdicts(results: Results) -> dict:
    """page key -> passed: the same number of queries with every data size measured."""
    verdicts = {}
    for key, sizes in results.queries.items():
        # (cold, warm) at each size; the HTTP status beside them is not a query count.
        counts = {tuple(pair[:2]) for pair in sizes.values() if pair is not None}
        verdicts[key] = "small" in sizes and "full" in sizes and len(counts) == 1
    return verdicts


def booking_ratio(results: Results) -> float | None:
    """Bookings a second over the baseline's requests a second (the median baseline run)."""
    baseline = results.loads.get("baseline")
    if results.bookings is None or baseline is None or not baseline.rps:
        return None
    return results.bookings.rate / baseline.rps


def booking_verdict(results: Results) -> tuple[bool, str]:
    bookings = results.bookings
    if bookings is None:
        return False, "not measured"
    reasons = []
    ratio = booking_ratio(results)
    if ratio is None:
        reasons.append("no baseline to compare with")
    elif ratio < BOOKING_MIN_RATIO:
        reasons.append(f"ratio {ratio:.3f} is under {BOOKING_MIN_RATIO}")
    if bookings.percentile(99) >= BOOKING_MAX_P99_MS:
        reasons.append(f"p99 {bookings.percentile(99):.0f} ms is not under {BOOKING_MAX_P99_MS} ms")
    if bookings.errors or bookings.booked < bookings.attempted:
        reasons.append(f"{bookings.attempted - bookings.booked} of {bookings.attempted} not booked")
    if bookings.double_bookings is None:
        reasons.append("double bookings not checked")
    elif bookings.double_bookings:
        reasons.append(f"{bookings.double_bookings} double bookings")
    if bookings.new_confirmed_rows is not None and bookings.new_confirmed_rows != bookings.booked:
        reasons.append(f"{bookings.new_confirmed_rows} new rows for {bookings.booked} bookings")
    return not reasons, "; ".join(reasons)


def render(results: Results) -> str:
    lines = ["# Bench results", ""]
    for label, text in results.conditions.items():
        lines.append(f"- **{label}**: {text}")
    lines += ["", "## Load (ratios to the baseline in this run)", ""]
    if results.baselines:
        lines += [
            "The baseline is measured again just before each page, and each ratio is to that run: other",
            "work on a shared machine comes and goes, and so both sides of a ratio see the same machine.",
            "The baseline row shows the median of those runs.",
            "",
        ]
    lines.append(
        "| page | req/s | baseline req/s | ratio | p50 ms | p99 ms | errors | non-2xx/3xx | target | result |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    verdicts = page_verdicts(results)
    for page in PAGES:
        load = results.loads.get(page.key)
        ratio, ok, why = verdicts[page.key]
        target = []
        if page.min_ratio is not None:
            target.append(f"≥ {page.min_ratio}")
        if page.max_p99_ms is not None:
            target.append(f"p99 < {page.max_p99_ms:g} ms")
        result = _verdict(ok) + (f" ({why})" if why else "")
        if load is None:
            lines.append(
                f"| {page.label} | – | – | – | – | – | – | – | {', '.join(target) or '–'} | {result} |"
            )
            continue
        baseline = baseline_for(results, page.key)
        lines.append(
            f"| {page.label} | {load.rps:.0f} | {baseline.rps:.0f} "
            f"| {'1.00' if page.key == 'baseline' else _ratio(ratio)} "
            f"| {_ms(load.p50_ms)} | {_ms(load.p99_ms)} | {load.errors} | {load.non_2xx_3xx} "
            f"| {', '.join(target) or '–'} | {result} |"
        )

    baseline = results.loads.get("baseline")
    p99_target = min(page.max_p99_ms for page in PAGES if page.max_p99_ms)
    if baseline and baseline.p99_ms >= p99_target:
        lines += [
            "",
            f"The baseline page itself has a p99 of {baseline.p99_ms:.0f} ms in this run: no page could meet "
            f"a p99 under {p99_target:g} ms on this machine as loaded now, so those verdicts say more about "
            "the machine than about the pages. The ratios still compare.",
        ]
    lines += [
        "",
        "## Booking POSTs (distinct free slots, each a real form: CSRF token, signed form_token)",
        "",
    ]
    b = results.bookings
    booking_ok, booking_why = booking_verdict(results)
    if b is None:
        lines.append("Not measured.")
    else:
        statuses = ", ".join(f"{count} × {status}" for status, count in sorted(b.statuses.items(), key=str))
        lines += [
            "| attempted | booked | seconds | bookings/s | ratio to baseline | p50 ms | p99 ms | errors | "
            "responses | new confirmed rows (SQL) | double bookings (SQL) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
            f"| {b.attempted} | {b.booked} | {b.seconds:.2f} | {b.rate:.0f} "
            f"| {_ratio(booking_ratio(results), 3)} | {_ms(b.percentile(50))} "
            f"| {_ms(b.percentile(99))} | {b.errors} | {statuses or '–'} | {_num(b.new_confirmed_rows)} "
            f"| {_num(b.double_bookings)} |",
        ]
        if b.note:
            lines += ["", b.note]
        if b.cpu_ms:
            per = median(b.cpu_ms)
            cpus = os.cpu_count() or 1
            cap = cpus * 1000 / per
            lines += [
                "",
                f"CPU per booking POST, in-process, one at a time: median {per:.0f} ms ({len(b.cpu_ms)} "
                f"bookings). On {cpus} CPUs that alone caps bookings at about {cap:.0f}/s, before the "
                "client's own CPU and the calendar lock.",
            ]
        if b.machine_cpu_ms:
            lines += ["", machine_cpu_line(b, baseline=results.loads.get("baseline"))]
    lines += ["", f"Target: {BOOKING_TARGET}: **{_verdict(booking_ok)}**"
              + (f" ({booking_why})" if booking_why else "")]  # fmt: skip

    lines += ["", "## Size on the wire (in-process, `Accept-Encoding: gzip`)", ""]
    lines.append("| page | bytes sent | uncompressed | target | result |")
    lines.append("|---|---:|---:|---|---|")
    wire = wire_verdicts(results)
    for page in PAGES:
        if page.key not in results.wire_bytes:
            continue
        sent, raw = results.wire_bytes[page.key]
        target = f"≤ {MAX_WIRE_BYTES // 1024} KB" if page.html else "–"
        lines.append(f"| {page.label} | {sent:,} | {raw:,} | {target} | {_verdict(wire.get(page.key))} |")

    lines += ["", "## Memory", ""]
    memory_ok = memory_verdict(results)
    if results.worker_rss_mb:
        peaks = ", ".join(f"{mb:.0f}" for mb in results.worker_rss_mb)
        lines.append(f"Peak resident memory per gunicorn worker after the run (MB): {peaks}. "
                     f"Target < {MAX_WORKER_RSS_MB} MB: **{_verdict(memory_ok)}**")  # fmt: skip
    else:
        lines.append("Not measured (no gunicorn workers in this run).")

    lines += ["", "## Queries per page (in-process, cold cache / warm cache) and CPU per request", ""]
    lines.append(
        "| page | small data | full data | large data | same at every size | CPU ms/request (full, warm) |"
    )
    lines.append("|---|---|---|---|---|---:|")
    qv = query_verdicts(results)
    labels = {page.key: page.label for page in PAGES} | {"booking": "booking POST (after the run's bookings)"}
    for key, sizes in results.queries.items():
        lines.append(
            f"| {labels.get(key, key)} | {_pair(sizes.get('small'))} | {_pair(sizes.get('full'))} "
            f"| {_pair(sizes.get('large'))} "
            f"| {_verdict(qv[key])} | {_cpu(results.cpu_ms.get(key))} |"
        )

    lines += ["", "## Slot computation (in-process, 62 days)", ""]
    scaling_ok, scaling_text = scaling_verdict(results)
    for size, ms in results.slots_json_ms.items():
        lines.append(f"- uncached `/book/slots.json`, 62 days, {size} data: median {ms:.1f} ms")
    if results.slots_json_ms:
        lines.append(f"- {scaling_text}: **{_verdict(scaling_ok)}**")
    for label, timing in results.slot_timings.items():
        if isinstance(timing, str):
            lines.append(f"- {label}: {timing}")
        else:
            lines.append(
                f"- {label}: median {median(timing) * 1000:.1f} ms, best {min(timing) * 1000:.1f} ms "
                f"({len(timing)} runs)"
            )

    lines += ["", "## Targets", ""]
    for page in PAGES:
        ratio, ok, why = verdicts[page.key]
        if page.min_ratio is None:
            continue
        lines.append(f"- {_verdict(ok)}: {page.label} ratio {_ratio(ratio)} (≥ {page.min_ratio})"
                     + (f", p99 {_ms(results.loads[page.key].p99_ms)} ms (< {page.max_p99_ms:g})"
                        if page.max_p99_ms and page.key in results.loads else "")
                     + (f" — {why}" if why else ""))  # fmt: skip
    lines.append(f"- {_verdict(booking_ok)}: booking POSTs {BOOKING_TARGET}"
                 + (f" — {booking_why}" if booking_why else ""))  # fmt: skip
    too_big = [labels.get(key, key) for key, ok in wire.items() if ok is False]
    lines.append(f"- {_verdict(bool(wire) and not too_big)}: every HTML page ≤ {MAX_WIRE_BYTES // 1024} KB "
                 "on the wire" + (f" — bigger: {', '.join(too_big)}" if too_big else ""))  # fmt: skip
    lines.append(f"- {_verdict(memory_ok)}: peak memory per gunicorn worker < {MAX_WORKER_RSS_MB} MB")
    lines.append(f"- {_verdict(scaling_ok)}: {scaling_text}")
    failing = [
        labels.get(key, key)
        for key, load in results.loads.items()
        if load.non_2xx_3xx or load.errors or not load.requests
    ]
    lines.append(f"- {_verdict(not failing)}: zero non-2xx/3xx responses on every page"
                 + (f" — errors or no answer on {', '.join(failing)}" if failing else ""))  # fmt: skip
    changing = [labels.get(key, key) for key, same in qv.items() if not same]
    lines.append(f"- {_verdict(bool(qv) and not changing)}: query count independent of data size"
                 + (f" — differs on {', '.join(changing)}" if changing else ""))  # fmt: skip

    if results.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in results.notes]
    for key, text in results.profiles.items():
        heading = f"## Profile: {labels.get(key, key)} (one request, in-process, cold cache, pyinstrument)"
        lines += ["", heading, "", "```", text.rstrip(), "```"]
    return "\n".join(lines) + "\n"


BOOKING_TARGET = (
    f"≥ {BOOKING_MIN_RATIO} of the baseline's req/s, p99 < {BOOKING_MAX_P99_MS} ms, zero errors, "
    "zero double bookings"
)


def wire_verdicts(results: Results) -> dict:
    """page key -> passed (None: no target), for the pages whose size was measured."""
    pages = {page.key: page for page in PAGES}
    return {
        key: (sent <= MAX_WIRE_BYTES) if key in pages and pages[key].html else None
        for key, (sent, _) in results.wire_bytes.items()
    }


def memory_verdict(results: Results) -> bool | None:
    if not results.worker_rss_mb:
        return None
    return max(results.worker_rss_mb) < MAX_WORKER_RSS_MB


def scaling_verdict(results: Results) -> tuple[bool | None, str]:
    """Uncached 62-day slots.json at the large size within MAX_SLOTS_SCALING of the full size."""
    full, large = results.slots_json_ms.get("full"), results.slots_json_ms.get("large")
    text = f"uncached 62-day slots.json with the large data within {MAX_SLOTS_SCALING:g}× the full data's"
    if full is None or large is None:
        return None, text + " (not measured)"
    return large <= MAX_SLOTS_SCALING * full, text + f" ({large / full:.2f}×)"


def _ratio(ratio: float | None, digits: int = 2) -> str:
    return "–" if ratio is None else f"{ratio:.{digits}f}"


def _cpu(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _num(value) -> str:
    return "–" if value is None else str(value)


def _pair(numbers) -> str:
    if numbers is None:
        return "–"
    cold, warm, *status = numbers
    return f"{cold} / {warm}" + (f" (HTTP {status[0]})" if status and status[0] != 200 else "")
