"""Store a busy calendar's busy times: the service behind `sync_busy_calendars` and "Sync now".

Fail closed: a calendar that cannot be fetched or read keeps its last good busy times (a
calendar that cannot be read must not suddenly open the doctor's whole week); the error is kept
in plain words for admin, and after BUSY_CALENDAR_ALERT_AFTER_HOURS without a success staff get
one email (no calendar content in it). One sync per calendar at a time across servers: a
PostgreSQL advisory lock, taken without waiting (the other server is doing the same work).
Slot caches are dropped only when the busy times really change.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from scheduling.busy import fetch as fetching
from scheduling.busy.parse import UnreadableCalendar, busy_intervals
from scheduling.models import BookingRules, BusyCalendar, BusyInterval, clinic_zone
from scheduling.selectors import invalidate_slots_cache

logger = logging.getLogger(__name__)

# Namespace of the advisory lock (its first key) of one calendar's sync; see services.DAY_LOCK.
SYNC_LOCK = 7303
# Busy times are stored from a day back to this far past the booking horizon, so a 304 or a
# failed fetch still leaves the whole bookable range covered for a while.
MARGIN = timedelta(days=14)

MSG_ALREADY_SYNCING = "already being synced by another server"
MSG_PAUSED = "paused, so not fetched"
MSG_REMOVED = "removed, so not fetched"
ALERT_SUBJECT = "A busy calendar has not synced for a while"


@dataclass(frozen=True)
class SyncResult:
    calendar: BusyCalendar
    ok: bool
    changed: bool = False
    message: str = ""

    def __str__(self):
        name, count = self.calendar.name, self.calendar.busy_count
        if not self.ok:
            return f"{name}: failed ({self.message}); keeps its {count} busy times"
        if self.message:
            return f"{name}: {self.message}"
        return f"{name}: {count} busy times ({'changed' if self.changed else 'unchanged'})"


def busy_calendars_sync(*, now: datetime | None = None, timeout: float | None = None) -> list[SyncResult]:
    """Sync every calendar that is not paused (see `busy_calendar_sync`)."""
    return [
        busy_calendar_sync(calendar=calendar, now=now, timeout=timeout)
        for calendar in BusyCalendar.objects.filter(paused=False)
    ]


def busy_calendar_sync(
    *, calendar: BusyCalendar, now: datetime | None = None, timeout: float | None = None
) -> SyncResult:
    """Fetch one calendar and store its busy times for the booking horizon plus a margin.

    Side effects: replaces the calendar's BusyInterval rows when they changed (and drops the
    slot caches after commit); records the outcome on the calendar (last success, last error,
    count); may send staff one alert email. Never raises for a calendar that cannot be read:
    the result says what happened. `timeout` overrides BUSY_CALENDAR_TIMEOUT_SECONDS.
    """
    now = now or timezone.now()
    with _sync_lock(calendar.pk) as locked:
        if not locked:
            return SyncResult(calendar=calendar, ok=False, message=MSG_ALREADY_SYNCING)
        try:
            calendar.refresh_from_db()  # staff may have paused or removed it meanwhile
        except BusyCalendar.DoesNotExist:
            return SyncResult(calendar=calendar, ok=True, message=MSG_REMOVED)
        if calendar.paused:
            return SyncResult(calendar=calendar, ok=True, message=MSG_PAUSED)
        rules = BookingRules.load()
        window_start = now - timedelta(days=1)
        needed_until = now + timedelta(days=rules.horizon_days + 2)
        # A 304 only keeps what is stored; when that no longer reaches far enough, fetch it all.
        conditional = calendar.expanded_until is not None and calendar.expanded_until >= needed_until
        try:
            fetched = fetching.fetch(
                calendar.url,
                etag=calendar.etag if conditional else "",
                last_modified=calendar.last_modified if conditional else "",
                timeout=timeout,
            )
            if fetched.not_modified:
                _record_success(calendar, now=now)
                return SyncResult(calendar=calendar, ok=True)
            window_end = needed_until + MARGIN
            intervals = busy_intervals(
                fetched.body, start=window_start, end=window_end, clinic_zone=clinic_zone()
            )
        except (fetching.FetchError, UnreadableCalendar) as error:
            return _record_failure(calendar, message=error.message, now=now)
        return _store(
            calendar,
            spans={(interval.start, interval.end) for interval in intervals},
            fetched=fetched,
            expanded_until=window_end,
            now=now,
        )


def _store(calendar, *, spans, fetched, expanded_until, now) -> SyncResult:
    with transaction.atomic():
        stored = set(calendar.busy_intervals.values_list("start", "end"))
        changed = stored != spans
        if changed:
            calendar.busy_intervals.all().delete()
            BusyInterval.objects.bulk_create(
                BusyInterval(calendar=calendar, start=start, end=end) for start, end in sorted(spans)
            )
            # After commit: before it, another request could cache the old busy times again.
            transaction.on_commit(invalidate_slots_cache)
        calendar.busy_count = len(spans)
        calendar.etag = fetched.etag
        calendar.last_modified = fetched.last_modified
        calendar.expanded_until = expanded_until
        _record_success(calendar, now=now, also=["busy_count", "etag", "last_modified", "expanded_until"])
    logger.info("busy calendar %s synced: %s busy times, changed=%s", calendar.pk, len(spans), changed)
    return SyncResult(calendar=calendar, ok=True, changed=changed)


def _record_success(calendar, *, now, also=()) -> None:
    calendar.last_attempt_at = calendar.last_success_at = now
    calendar.last_error = ""
    calendar.alert_sent_at = None
    # Only the sync's own fields: staff may be editing the name or the pause meanwhile.
    calendar.save(update_fields=["last_attempt_at", "last_success_at", "last_error", "alert_sent_at", *also])


def _record_failure(calendar, *, message: str, now: datetime) -> SyncResult:
    # The message is ours, in plain words, and never carries the address (it is a secret).
    logger.warning("busy calendar %s failed to sync: %s", calendar.pk, message)
    calendar.last_attempt_at = now
    calendar.last_error = message[:200]
    calendar.save(update_fields=["last_attempt_at", "last_error"])
    _alert_if_stale(calendar, now=now)
    return SyncResult(calendar=calendar, ok=False, message=message)


def _alert_if_stale(calendar: BusyCalendar, *, now: datetime) -> None:
    """One email to staff once a calendar has gone too long without a successful sync."""
    last_good = calendar.last_success_at or calendar.created_at
    if calendar.alert_sent_at is not None or now - last_good < timedelta(
        hours=settings.BUSY_CALENDAR_ALERT_AFTER_HOURS
    ):
        return
    since = (
        f"since {calendar.last_success_at.astimezone(clinic_zone()):%a %d %b %Y, %H:%M %Z}"
        if calendar.last_success_at
        else "since it was added"
    )
    admin_url = settings.SITE_URL + reverse("admin:scheduling_busycalendar_change", args=[calendar.pk])
    body = (
        f'The busy calendar "{calendar.name}" has not synced {since}.\n\n'
        f"Last error: {calendar.last_error or 'none recorded'}.\n\n"
        "Until it syncs again, the booking page keeps blocking the busy times it last read; "
        "anything added to that calendar since then is not blocked.\n\n"
        f"Check it in admin: {admin_url}\n"
    )
    try:
        send_mail(ALERT_SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [settings.CLINIC_STAFF_EMAIL])
    except Exception:  # the mail server is down: the next sync tries again
        logger.exception("could not send the stale busy calendar alert for calendar %s", calendar.pk)
        return
    calendar.alert_sent_at = now
    calendar.save(update_fields=["alert_sent_at"])


@contextmanager
def _sync_lock(pk: int) -> Iterator[bool]:
    """Whether this process got the calendar's sync lock (a session advisory lock, so it holds
    through the fetch without a transaction open). On SQLite there is one server: always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [SYNC_LOCK, pk])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [SYNC_LOCK, pk])
