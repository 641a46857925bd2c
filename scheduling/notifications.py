"""The outbox: messages about appointments, queued in the caller's transaction, sent after commit.

The booking services call `notify_*` inside their transaction. Each writes `Notification` rows
holding the message fully rendered (subject, text, HTML, .ics), so the booking and its messages
commit together or not at all, and a retry sends exactly what was queued. After commit the
request tries to send at once; whatever is left (mail server down, a reminder not yet due) is
sent by `manage.py send_notifications`, run by cron every minute.

A message is claimed before it is sent, with a lease (CLAIM_LEASE), so two workers never send it
twice: the request claims the rows it writes that are due at once (nobody else can see them before
its commit); the cron run claims a few due rows at a time in a short transaction
(`select_for_update(skip_locked=True)`). A failed attempt is retried with backoff and marked
failed after MAX_ATTEMPTS.

Privacy: subjects and staff emails carry a time and an admin link, never the patient's name,
email, phone or note; logs carry row ids and kinds only; the patient's note is never sent.
"""

import contextlib
import functools
import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation

from clinic import practice
from clinic.db import without_waiting_for_disk
from scheduling.ics import appointment_ics, video_room_url
from scheduling.models import Appointment, Notification, clinic_zone
from scheduling.zones import PATIENT_ZONES

logger = logging.getLogger(__name__)

Kind = Notification.Kind

# Every call booked more than a few hours ahead gets one reminder: the day before when booked at
# least DAY_BEFORE_MIN_NOTICE ahead (so it never comes hours after the confirmation), otherwise
# LATE_LEAD before the call when that is still LATE_MIN_NOTICE away; closer than that, the
# confirmation is the reminder.
DAY_BEFORE_LEAD = timedelta(hours=24)
DAY_BEFORE_MIN_NOTICE = timedelta(hours=36)
LATE_LEAD = timedelta(hours=3)
LATE_MIN_NOTICE = timedelta(hours=6)

# What the confirmation page and emails promise, and only when that reminder is queued.
MSG_REMINDER_DAY_BEFORE = "The day before, we'll email you a reminder."
MSG_REMINDER_LATE = "About 3 hours before the call, we'll email you a reminder."

MAX_ATTEMPTS = 8
# Wait before attempt 2, 3, ...: about 22 hours in all before a message is marked failed.
RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720)]
# A claimed row is not due again for this long, so a worker that dies mid-send is retried
# later instead of never. Far longer than one send can take (EMAIL_TIMEOUT).
CLAIM_LEASE = timedelta(minutes=10)

STAFF_KINDS = {Kind.STAFF_ALERT, Kind.STAFF_CANCELLATION, Kind.STAFF_RESCHEDULE, Kind.STAFF_CONTACT_CHANGE}

DOCTOR = practice.DOCTOR_NAME


# --- Formatting ---------------------------------------------------------------------


def zone_name(zone_key: str) -> str:
    """ "Pacific Time": the name a person knows a zone by (the IANA key for an unusual one)."""
    return PATIENT_ZONES.get(zone_key, zone_key)


def format_when(instant: datetime, zone: ZoneInfo, *, year: bool = True) -> str:
    """ "Thursday, November 26, 2026, 9:00 AM Pacific Time": the instant on the zone's clock, named."""
    local = instant.astimezone(zone)
    pattern = "l, F j, Y, g:i A" if year else "l, F j, g:i A"
    return f"{dateformat.format(local, pattern)} {zone_name(zone.key)}"


def format_day(instant: datetime, zone: ZoneInfo) -> str:
    return dateformat.format(instant.astimezone(zone), "l, F j")


def masked_phone(e164: str) -> str:
    """ "(•••) •••-0142": enough of the number the doctor will call to catch a typo, and no more
    (a page or an email may be seen over a shoulder or forwarded)."""
    digits = "".join(character for character in e164 if character.isdigit())
    return f"(•••) •••-{digits[-4:]}" if len(digits) >= 4 else ""


def manage_url(token: str) -> str:
    return settings.SITE_URL + reverse("scheduling:manage", args=[token])


def admin_url(appointment: Appointment) -> str:
    return settings.SITE_URL + reverse("admin:scheduling_appointment_change", args=[appointment.pk])


def when_labels(appointment: Appointment, instant: datetime | None = None) -> dict:
    """The appointment's time as the patient and the clinic read it (emails and the manage page)."""
    instant = instant or appointment.start
    return {
        "patient": format_when(instant, appointment.patient_zone),
        "clinic": format_when(instant, clinic_zone()),
    }


def _context(appointment: Appointment, **extra) -> dict:
    return {
        "practice": practice,
        "doctor": DOCTOR,
        "minutes": practice.MEET_AND_GREET_MINUTES,
        "contact_method": appointment.contact_method,
        "masked_phone": masked_phone(appointment.phone),
        "video_room_url": video_room_url(appointment),
        "when": when_labels(appointment),
        "book_url": settings.SITE_URL + reverse("scheduling:book"),
        **extra,
    }


# --- Queueing (inside the caller's transaction) -------------------------------------


def _render(template: str, context: dict) -> tuple[str, str]:
    return (
        render_to_string(f"emails/{template}.txt", context),
        render_to_string(f"emails/{template}.html", context),
    )


def _outbox_row(
    appointment: Appointment,
    kind: str,
    *,
    subject: str,
    template: str,
    context: dict,
    ics: str = "",
    send_after: datetime | None = None,
) -> Notification:
    """One outbox row for this appointment version, rendered; written by `_enqueue`."""
    recipient = settings.CLINIC_STAFF_EMAIL if kind in STAFF_KINDS else appointment.email
    body_text, body_html = _render(template, {**context, "subject": subject})
    return Notification(
        appointment=appointment,
        kind=kind,
        appointment_version=appointment.version,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        ics=ics,
        send_after=send_after or timezone.now(),
    )


def _enqueue(rows: list[Notification | None]) -> None:
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


def _reminder_subject(appointment: Appointment) -> str:
    return (
        f"Reminder: your meet-and-greet with {DOCTOR} is on "
        f"{format_day(appointment.start, appointment.patient_zone)}"
    )


def reminder_send_after(start: datetime, now: datetime) -> datetime | None:
    """When the reminder of a call at `start`, booked or moved at `now`, goes out (None: none)."""
    if start - now >= DAY_BEFORE_MIN_NOTICE:
        return start - DAY_BEFORE_LEAD
    if start - now >= LATE_MIN_NOTICE:
        return start - LATE_LEAD
    return None


def reminder_promise(start: datetime, send_after: datetime | None) -> str:
    """The sentence that tells the patient when their reminder comes ("" when none is queued)."""
    if send_after is None:
        return ""
    return MSG_REMINDER_DAY_BEFORE if start - send_after >= DAY_BEFORE_LEAD else MSG_REMINDER_LATE


def queued_reminder_promise(appointment: Appointment) -> str:
    """The promise for the reminder actually waiting in the outbox for this version (one query)."""
    send_after = (
        Notification.objects.filter(
            appointment=appointment,
            kind=Kind.REMINDER,
            appointment_version=appointment.version,
            status=Notification.Status.PENDING,
        )
        .values_list("send_after", flat=True)
        .first()
    )
    return reminder_promise(appointment.start, send_after)


def _reminder(appointment: Appointment, *, manage_token: str | None, send_after: datetime | None):
    if send_after is None:
        return None
    return _outbox_row(
        appointment,
        Kind.REMINDER,
        subject=_reminder_subject(appointment),
        template="reminder",
        context=_context(appointment, manage_url=manage_token and manage_url(manage_token)),
        send_after=send_after,
    )


# A manage link as the messages carry it (the token is URL-safe base64: secrets.token_urlsafe).
MANAGE_LINK_TOKEN = re.compile(r"(/book/manage/)[A-Za-z0-9_-]+/")


def _relink_pending(appointment: Appointment, manage_token: str) -> None:
    """Every message to the patient not sent yet gets the newest link: a new link revokes the
    one it was rendered with. All kinds (confirmation, new time, reminder, link), since any may
    still wait for a mail server that was down; the rest of each message stays as queued."""
    pending = Notification.objects.filter(appointment=appointment, status=Notification.Status.PENDING)
    for row in pending.exclude(kind__in=STAFF_KINDS):
        body_text = MANAGE_LINK_TOKEN.sub(rf"\g<1>{manage_token}/", row.body_text)
        body_html = MANAGE_LINK_TOKEN.sub(rf"\g<1>{manage_token}/", row.body_html)
        if (body_text, body_html) != (row.body_text, row.body_html):
            Notification.objects.filter(pk=row.pk, status=Notification.Status.PENDING).update(
                body_text=body_text, body_html=body_html
            )


def _cancel_superseded(appointment: Appointment) -> None:
    """Pending messages to the patient about an earlier version will never be sent."""
    Notification.objects.filter(
        appointment=appointment,
        status=Notification.Status.PENDING,
        appointment_version__lt=appointment.version,
    ).exclude(kind__in=[*STAFF_KINDS, Kind.CANCELLATION]).update(
        status=Notification.Status.CANCELLED, last_error="superseded by a later change"
    )


def _staff_subject_time(instant: datetime) -> str:
    return format_when(instant, clinic_zone(), year=False)


def _composed_in_english(compose):
    """Messages are composed in English, whatever language the request that triggered them runs
    in: a booking made on a Spanish page (/es/book/) must not mix Spanish month names into an
    English email. (Composing in the patient's own language, stored on the appointment, is the
    booking flow's part of the Spanish work.)"""

    @functools.wraps(compose)
    def wrapper(*args, **kwargs):
        with translation.override("en"):
            return compose(*args, **kwargs)

    return wrapper


@_composed_in_english
def notify_booked(appointment: Appointment, *, manage_token: str) -> None:
    """Queue the patient's confirmation (with .ics), the staff alert and the reminder (see
    `reminder_send_after`); the confirmation says when the reminder comes."""
    send_after = reminder_send_after(appointment.start, timezone.now())
    rows = [
        _outbox_row(
            appointment,
            Kind.CONFIRMATION,
            subject=f"Your meet-and-greet with {DOCTOR} is confirmed",
            template="confirmation",
            context=_context(
                appointment,
                manage_url=manage_url(manage_token),
                reminder=reminder_promise(appointment.start, send_after),
            ),
            ics=appointment_ics(appointment),
        ),
        _outbox_row(
            appointment,
            Kind.STAFF_ALERT,
            subject=f"New meet-and-greet booked for {_staff_subject_time(appointment.start)}",
            template="staff_alert",
            context=_context(appointment, admin_url=admin_url(appointment)),
        ),
        _reminder(appointment, manage_token=manage_token, send_after=send_after),
    ]
    _enqueue(rows)


@_composed_in_english
def notify_cancelled(appointment: Appointment, *, by_clinic: bool, message: str = "") -> None:
    """Queue the cancellation (with a METHOD:CANCEL .ics) and the staff alert; drop pending reminders."""
    _cancel_superseded(appointment)
    rows = [
        _outbox_row(
            appointment,
            Kind.CANCELLATION,
            subject=f"Your meet-and-greet with {DOCTOR} is cancelled",
            template="cancellation",
            context=_context(appointment, by_clinic=by_clinic, message=message),
            ics=appointment_ics(appointment, cancel=True),
        ),
        _outbox_row(
            appointment,
            Kind.STAFF_CANCELLATION,
            subject=f"Meet-and-greet cancelled: {_staff_subject_time(appointment.start)}",
            template="staff_cancellation",
            context=_context(appointment, by_clinic=by_clinic, admin_url=admin_url(appointment)),
        ),
    ]
    _enqueue(rows)


@_composed_in_english
def notify_moved(appointment: Appointment, *, previous_start: datetime, manage_token: str | None) -> None:
    """Queue the new time to the patient (updated .ics), the staff alert and a new reminder.

    `manage_token` is the raw token when the caller knows it (a staff move issues a new one;
    a patient move keeps theirs, known from the link's URL); without it the email points to
    the link in the earlier email.
    """
    _cancel_superseded(appointment)
    link = manage_token and manage_url(manage_token)
    send_after = reminder_send_after(appointment.start, timezone.now())
    rows = [
        _outbox_row(
            appointment,
            Kind.RESCHEDULE,
            subject=f"Your meet-and-greet with {DOCTOR} has a new time",
            template="reschedule",
            context=_context(
                appointment,
                manage_url=link,
                previous=when_labels(appointment, previous_start),
                reminder=reminder_promise(appointment.start, send_after),
            ),
            ics=appointment_ics(appointment),
        ),
        _outbox_row(
            appointment,
            Kind.STAFF_RESCHEDULE,
            subject=f"Meet-and-greet moved to {_staff_subject_time(appointment.start)}",
            template="staff_reschedule",
            context=_context(
                appointment,
                admin_url=admin_url(appointment),
                previous=when_labels(appointment, previous_start),
            ),
        ),
        _reminder(appointment, manage_token=manage_token, send_after=send_after),
    ]
    _enqueue(rows)


@_composed_in_english
def notify_contact_changed(appointment: Appointment, *, manage_token: str) -> None:
    """The patient changed their phone number or the way to talk (the version was raised):
    messages to the patient not sent yet stay due for this version, the reminder rewritten with
    the new details; staff get an alert without patient details."""
    pending = Notification.objects.filter(
        appointment=appointment, status=Notification.Status.PENDING
    ).exclude(kind__in=[*STAFF_KINDS, Kind.CANCELLATION])
    for row in pending:
        fields = {"appointment_version": appointment.version}
        if row.kind == Kind.REMINDER:
            rewritten = _reminder(appointment, manage_token=manage_token, send_after=row.send_after)
            fields.update(body_text=rewritten.body_text, body_html=rewritten.body_html)
        Notification.objects.filter(pk=row.pk, status=Notification.Status.PENDING).update(**fields)
    _enqueue(
        [
            _outbox_row(
                appointment,
                Kind.STAFF_CONTACT_CHANGE,
                subject=f"Meet-and-greet contact details changed: {_staff_subject_time(appointment.start)}",
                template="staff_contact_change",
                context=_context(appointment, admin_url=admin_url(appointment)),
            )
        ]
    )


@_composed_in_english
def notify_manage_link(appointment: Appointment, *, manage_token: str) -> None:
    """Queue a fresh manage link (someone tried to book again with the same email).

    At most one such email per appointment version, so the booking form cannot be used to
    flood an inbox. Messages not sent yet (this one, a confirmation still waiting for the mail
    server, the reminder) get the new link, since issuing it revoked the old one.
    """
    _relink_pending(appointment, manage_token)
    if not _queued(appointment, Kind.MANAGE_LINK):
        row = _outbox_row(
            appointment,
            Kind.MANAGE_LINK,
            subject=f"Your link to manage your meet-and-greet with {DOCTOR}",
            template="manage_link",
            context=_context(appointment, manage_url=manage_url(manage_token)),
        )
        _enqueue([row])


def _queued(appointment: Appointment, kind: str) -> bool:
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


def notify_status_changed(appointment: Appointment) -> None:
    """Completed or no-show: nothing more to tell the patient, so pending reminders are dropped."""
    _cancel_superseded(appointment)
    if appointment.status != Appointment.Status.CONFIRMED:
        Notification.objects.filter(
            appointment=appointment, kind=Kind.REMINDER, status=Notification.Status.PENDING
        ).update(status=Notification.Status.CANCELLED, last_error="appointment no longer confirmed")


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
