"""The outbox: messages about appointments, queued in the caller's transaction, sent after commit.

The messages are composed in `scheduling.messages` (in their reader's language), inside the
booking services' transactions; each is a `Notification` row holding the message fully rendered
(subject, text, HTML, .ics), written here by `enqueue`, so the booking and its messages commit
together or not at all, and a retry sends exactly what was queued. After commit the request
tries to send at once; whatever is left (mail server down, a reminder not yet due) is sent by
`manage.py send_notifications`, run by cron every minute.

A message is claimed before it is sent, with a lease (CLAIM_LEASE), so two workers never send it
twice: the request claims the rows it writes that are due at once (nobody else can see them before
its commit); the cron run claims a few due rows at a time in a short transaction
(`select_for_update(skip_locked=True)`). A failed attempt is retried with backoff and marked
failed after MAX_ATTEMPTS.

Privacy: logs carry row ids and kinds only.
"""

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.mime.text import MIMEText

from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic.db import without_waiting_for_disk
from scheduling.models import Appointment, Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind

MAX_ATTEMPTS = 8
# Wait before attempt 2, 3, ...: about 22 hours in all before a message is marked failed.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720)]
# A claimed row is not due again for this long, so a worker that dies mid-send is retried
# later instead of never. Far longer than one send can take (EMAIL_TIMEOUT).
CLAIM_LEASE = timedelta(minutes=10)

STAFF_KINDS = {Kind.STAFF_ALERT, Kind.STAFF_CANCELLATION, Kind.STAFF_RESCHEDULE, Kind.STAFF_CONTACT_CHANGE}


# --- Queueing (inside the caller's transaction) -------------------------------------


def enqueue(rows: list[Notification | None]) -> None:
    """Write the rows in one INSERT; the ones due now are sent right after commit.

    Those are claimed by this request from the start (nobody else can see them before the
    commit), so sending them takes no claim of its own; should the send never happen, they are
    due again when the CLAIM_LEASE ends. While inline sending is paused (the mail server failed
    a moment ago), nothing is claimed: the rows are left due for the cron run. Every change that
    tells of itself raises the appointment's version first, so each row is new: the unique
    constraint refuses a second copy of a message.
    """
    rows = [row for row in rows if row is not None]
    now = timezone.now()
    due = [row for row in rows if row.send_after <= now]
    if due and inline_sending_paused():
        due = []  # left due for the cron run, which is not paused
    for row in due:
        row.attempts, row.send_after = 1, now + CLAIM_LEASE
    Notification.objects.bulk_create(rows)
    if due:
        transaction.on_commit(lambda: send_quietly(due))


def cancel_superseded(appointment: Appointment) -> None:
    """Pending messages to the patient about an earlier version will never be sent."""
    Notification.objects.filter(
        appointment=appointment,
        status=Notification.Status.PENDING,
        appointment_version__lt=appointment.version,
    ).exclude(kind__in=[*STAFF_KINDS, Kind.CANCELLATION]).update(
        status=Notification.Status.CANCELLED, last_error="superseded by a later change"
    )


def queued(appointment: Appointment, kind: str) -> bool:
    """Whether a message of this kind is in the outbox for the appointment's version."""
    return Notification.objects.filter(
        appointment=appointment, kind=kind, appointment_version=appointment.version
    ).exists()


def manage_link_sent(appointment: Appointment) -> bool:
    """Whether this version's manage-link email already went out. A caller about to issue a new
    token for it should not: that would revoke the emailed link, and no second one is sent."""
    return Notification.objects.filter(
        appointment=appointment,
        kind=Kind.MANAGE_LINK,
        appointment_version=appointment.version,
        status=Notification.Status.SENT,
    ).exists()


def queued_reminder_send_after(appointment: Appointment) -> datetime | None:
    """When the reminder waiting in the outbox for this version goes out (None: none waits)."""
    return (
        Notification.objects.filter(
            appointment=appointment,
            kind=Kind.REMINDER,
            appointment_version=appointment.version,
            status=Notification.Status.PENDING,
        )
        .values_list("send_after", flat=True)
        .first()
    )


# The try right after a booking waits this long for the mail server at most: the patient is
# waiting for their page, and the cron run retries anyway.
IMMEDIATE_SEND_TIMEOUT = 3

# After one inline send fails (server down, refusing or hung), requests stop trying to send
# inline for this long and leave their messages to the cron run: otherwise a hung mail server
# would hold every booking (and its worker) for IMMEDIATE_SEND_TIMEOUT. The pause is kept in the
# cache, so every app server stops together (production's cache is Redis: see clinic/checks.py).
INLINE_SEND_PAUSE = timedelta(minutes=5)
INLINE_SEND_PAUSED_KEY = "scheduling:inline-send-paused"


def inline_sending_paused() -> bool:
    try:
        return bool(cache.get(INLINE_SEND_PAUSED_KEY))
    except Exception:  # noqa: BLE001 - without the cache, send inline as before; cron is the net
        logger.warning("Cache unavailable: cannot tell whether inline sending is paused")
        return False


def _pause_inline_sending(reason: str) -> None:
    logger.warning(
        "Sending after commit failed (%s); inline sending paused for %s, cron will retry",
        reason,
        INLINE_SEND_PAUSE,
    )
    try:
        cache.set(INLINE_SEND_PAUSED_KEY, True, int(INLINE_SEND_PAUSE.total_seconds()))
    except Exception:  # noqa: BLE001 - a request must never fail because the cache did
        logger.warning("Cache unavailable: inline sending not paused")


def send_quietly(rows: list[Notification]) -> None:
    """Send the rows a request queued and claimed, right after its commit. Best effort: never
    raises into the request (the cron run retries). A failure that is not about one message
    (the server is down, refuses or does not answer) pauses inline sending for every request."""
    connection = get_connection(timeout=IMMEDIATE_SEND_TIMEOUT)
    report = DeliveryReport()
    try:
        _send_claimed(rows, connection=connection, now=timezone.now(), report=report)
    except Exception as exc:  # noqa: BLE001 - a request must never fail because mail did
        _pause_inline_sending(type(exc).__name__)
    else:
        if report.stopped_early:
            _pause_inline_sending("mail server unavailable")
    finally:
        with contextlib.suppress(Exception):
            connection.close()


# --- Delivery -------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    not_needed: int = 0
    stopped_early: bool = False


def _reason_not_to_send(row: Notification, now: datetime) -> str:
    """Why a due message should no longer go out ("" when it should). Checked at send time."""
    if row.kind in STAFF_KINDS:
        return ""
    appointment = row.appointment
    if appointment.purged_at is not None:
        return "personal data purged"
    if row.kind == Kind.CANCELLATION:
        return ""
    if row.appointment_version != appointment.version:
        return "superseded by a later change"
    if appointment.status != Appointment.Status.CONFIRMED:
        return "appointment no longer confirmed"
    if appointment.start <= now:
        return "appointment already started"
    return ""


# Rows claimed per transaction by one worker.
CLAIM_BATCH = 10


def _claim_due(*, now: datetime, kinds, batch: int) -> tuple[list[Notification], int]:
    """Claim up to `batch` due rows for this worker, and drop the ones no longer needed.
    Returns (the claimed rows, how many were dropped); ([], 0) when nothing is due.

    One short transaction: the row locks (skipped by other workers on PostgreSQL) keep workers
    off each other's rows; SQLite lets one writer in at a time. A claimed row is not due again
    until CLAIM_LEASE has passed, so it stays claimed after the commit.
    """
    with transaction.atomic():
        due = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("appointment")
            .filter(status=Notification.Status.PENDING, send_after__lte=now)
            .order_by("send_after", "pk")
        )
        if kinds:
            due = due.filter(kind__in=kinds)
        claimed, dropped = [], {}
        for row in due[:batch]:
            reason = _reason_not_to_send(row, now)
            if reason:
                dropped.setdefault(reason, []).append(row.pk)
            else:
                claimed.append(row)
        for reason, pks in dropped.items():
            Notification.objects.filter(pk__in=pks).update(
                status=Notification.Status.CANCELLED, last_error=reason
            )
        if claimed:
            Notification.objects.filter(pk__in=[row.pk for row in claimed]).update(
                attempts=F("attempts") + 1, send_after=now + CLAIM_LEASE
            )
    for row in claimed:
        row.attempts += 1
    return claimed, sum(len(pks) for pks in dropped.values())


def _release(rows: list[Notification], *, now: datetime) -> None:
    """Give back claimed rows that were never tried (the run stopped): due again, as before."""
    if rows:
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            attempts=F("attempts") - 1, send_after=now
        )


def _message(row: Notification, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        to=[row.recipient],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated"},
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    if row.ics:
        part = MIMEText(row.ics, "calendar", "utf-8")
        part.set_param("method", "CANCEL" if "METHOD:CANCEL" in row.ics else "REQUEST")
        part.add_header("Content-Disposition", "attachment", filename="meet-and-greet.ics")
        message.attach(part)
    return message


# Errors about one message; any other error (connection refused, timeout...) ends the run.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def safe_error(exc: BaseException) -> str:
    """The error class and a detail that cannot hold an address (SMTP code, OS reason)."""
    detail = ""
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = f"SMTP {exc.smtp_code}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "recipient refused"
    elif isinstance(exc, OSError) and exc.strerror:
        detail = exc.strerror
    return f"{type(exc).__name__}: {detail}"[:200] if detail else type(exc).__name__[:200]


def deliver_due(
    *,
    now: datetime | None = None,
    kinds=None,
    limit: int = 500,
    connection=None,
) -> DeliveryReport:
    """Send due pending messages (optionally only `kinds`), at most `limit` of them.

    Messages are claimed in small batches, then each is sent and marked sent; a failure is
    retried later with backoff. An error that is not about the message itself (server down)
    stops the run and gives back the rest of the batch: the next run retries. Returns what
    happened, in counts.
    """
    now = now or timezone.now()
    connection = connection or get_connection()
    report = DeliveryReport()
    handled = 0
    try:
        while handled < limit and not report.stopped_early:
            batch = min(CLAIM_BATCH, limit - handled)
            rows, dropped = _claim_due(now=now, kinds=kinds, batch=batch)
            handled += len(rows) + dropped
            report.not_needed += dropped
            _send_claimed(rows, connection=connection, now=now, report=report)
            if len(rows) + dropped < batch:
                break  # that was all that was due
    finally:
        connection.close()
    return report


def _send_claimed(rows: list[Notification], *, connection, now: datetime, report: DeliveryReport) -> None:
    sent = []
    try:
        for index, row in enumerate(rows):
            try:
                _message(row, connection).send()
            except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
                _record_failure(row, exc, now=now, report=report)
                if not isinstance(exc, MESSAGE_ERRORS):
                    report.stopped_early = True
                    _release(rows[index + 1 :], now=now)
                    return
            else:
                sent.append(row)
    finally:
        _mark_sent(sent, report=report)


def _mark_sent(rows: list[Notification], *, report: DeliveryReport) -> None:
    """One UPDATE for every message of the batch that went out.

    It does not wait for the disk: should a crash forget it, the rows are still claimed, and are
    sent again once their lease ends (a copy of a message, never a lost one)."""
    if not rows:
        return
    with without_waiting_for_disk():
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
        )
    for row in rows:
        report.sent += 1
        logger.info("Sent notification %s (%s)", row.pk, row.kind)


def _record_failure(row: Notification, exc: Exception, *, now: datetime, report: DeliveryReport) -> None:
    error = safe_error(exc)
    if row.attempts >= MAX_ATTEMPTS:
        Notification.objects.filter(pk=row.pk).update(status=Notification.Status.FAILED, last_error=error)
        report.failed += 1
        logger.error(
            "Notification %s (%s) failed after %s attempts: %s", row.pk, row.kind, row.attempts, error
        )
        return
    delay = RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS)) - 1]
    Notification.objects.filter(pk=row.pk).update(send_after=now + delay, last_error=error)
    report.retrying += 1
    logger.warning(
        "Notification %s (%s) not sent (attempt %s), retrying in %s: %s",
        row.pk,
        row.kind,
        row.attempts,
        delay,
        error,
    )
