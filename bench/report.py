"""What a bench run measured, the targets of issue 9, and bench/results.md.

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


# Every row of the load table, in order. The baseline must stay first.
PAGES = [
    Page("baseline", "baseline (fixed page, same middleware)", None),
    Page("home", "`/`", 0.5, 50),
    Page("articles", "`/articles/`", 0.5, 50),
    Page("article", "`/articles/<slug>/`", 0.5, 50),
    Page("search", "`/articles/?q=naltrexone`", 0.25),
    Page("book", "`/book/`", 0.35),
    Page("slots", "`/book/slots.json` (14 days)", 0.35),
    Page("times", "`/book/times/` (no target; for reference)", None),
]
BOOKINGS_PER_SECOND = 100


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
    profiles: dict = field(default_factory=dict)  # page key -> text
    notes: list = field(default_factory=list)


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
    """page key -> passed: the same number of queries with the small and the full data."""
    verdicts = {}
    for key, sizes in results.queries.items():
        small, full = sizes.get("small"), sizes.get("full")
        verdicts[key] = small is not None and full is not None and small == full
    return verdicts


def booking_verdict(bookings: Bookings | None) -> tuple[bool, str]:
    if bookings is None:
        return False, "not measured"
    reasons = []
    if bookings.rate < BOOKINGS_PER_SECOND:
        reasons.append(f"{bookings.rate:.0f}/s is under {BOOKINGS_PER_SECOND}/s")
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
    booking_ok, booking_why = booking_verdict(b)
    if b is None:
        lines.append("Not measured.")
    else:
        statuses = ", ".join(f"{count} × {status}" for status, count in sorted(b.statuses.items(), key=str))
        lines += [
            "| attempted | booked | seconds | bookings/s | p50 ms | p99 ms | errors | responses | "
            "new confirmed rows (SQL) | double bookings (SQL) |",
            "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
            f"| {b.attempted} | {b.booked} | {b.seconds:.2f} | {b.rate:.0f} | {_ms(b.percentile(50))} "
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
    lines += ["", f"Target: ≥ {BOOKINGS_PER_SECOND} bookings/s, zero errors, zero double bookings: "
              f"**{_verdict(booking_ok)}**" + (f" ({booking_why})" if booking_why else "")]  # fmt: skip

    lines += ["", "## Queries per page (in-process, cold cache / warm cache) and CPU per request", ""]
    lines.append("| page | small data | full data | same at both sizes | CPU ms/request (full, warm) |")
    lines.append("|---|---|---|---|---:|")
    qv = query_verdicts(results)
    labels = {page.key: page.label for page in PAGES} | {
        "details": "`/book/details/` (the form, GET)",
        "booking": "booking POST (after the run's bookings)",
    }
    for key, sizes in results.queries.items():
        lines.append(
            f"| {labels.get(key, key)} | {_pair(sizes.get('small'))} | {_pair(sizes.get('full'))} "
            f"| {_verdict(qv[key])} | {_cpu(results.cpu_ms.get(key))} |"
        )

    lines += ["", "## Slot computation (in-process, 62 days)", ""]
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
    lines.append(f"- {_verdict(booking_ok)}: booking POST ≥ {BOOKINGS_PER_SECOND}/s, zero errors, "
                 "zero double bookings" + (f" — {booking_why}" if booking_why else ""))  # fmt: skip
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


def _ratio(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:.2f}"


def _cpu(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def _num(value) -> str:
    return "–" if value is None else str(value)


def _pair(numbers) -> str:
    if numbers is None:
        return "–"
    cold, warm, *status = numbers
    return f"{cold} / {warm}" + (f" (HTTP {status[0]})" if status and status[0] != 200 else "")
