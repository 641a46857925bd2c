"""Messages about appointments, composed apart from their delivery.

Each message is composed whole (subject, text, HTML, .ics) when the change it tells of happens,
inside that change's transaction, and handed to the outbox (`scheduling.notifications`), which
sends exactly what was composed, now or later. So a message is composed in its reader's
language once, and stays in it whoever sends it and whenever: a message to the patient under
`translation.override(appointment.language)` (the booking page's language, or the one staff chose
for a caller), a staff alert in English (staff admin is in English), whatever language the
request, the staff action or the cron run that triggered it happens to run in.

Privacy: subjects and staff emails carry a time and an admin link, never the patient's name,
email, phone or note; the patient's note is never sent.
"""

import functools
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from clinic import practice
from scheduling import notifications
from scheduling.display import format_day, format_when, masked_phone, when_labels
from scheduling.ics import appointment_ics, video_room_url
from scheduling.models import Appointment, Notification, clinic_zone

Kind = Notification.Kind

DOCTOR = practice.DOCTOR_NAME

# Staff admin, and so every message to staff, is in English.
STAFF_LANGUAGE = "en"

# Every call booked more than a few hours ahead gets one reminder: the day before when booked at
# least DAY_BEFORE_MIN_NOTICE ahead (so it never comes hours after the confirmation), otherwise
# LATE_LEAD before the call when that is still LATE_MIN_NOTICE away; closer than that, the
# confirmation is the reminder.
DAY_BEFORE_LEAD = timedelta(hours=24)
DAY_BEFORE_MIN_NOTICE = timedelta(hours=36)
LATE_LEAD = timedelta(hours=3)
LATE_MIN_NOTICE = timedelta(hours=6)

# What the confirmation page and emails promise, and only when that reminder is queued (in English
# here; `reminder_promise` gives them in the active language).
MSG_REMINDER_DAY_BEFORE = gettext_noop("The day before, we'll email you a reminder.")
MSG_REMINDER_LATE = gettext_noop("About 3 hours before the call, we'll email you a reminder.")


def patient_language(code: str | None = None) -> str:
    """One of settings.LANGUAGES: `code` or, without one, the active language ("es-us" gives
    "es"); the default language for anything else."""
    try:
        return translation.get_supported_language_variant(code or translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


# --- The reminder's timing and its promise ------------------------------------------------


def reminder_send_after(start: datetime, now: datetime) -> datetime | None:
    """When the reminder of a call at `start`, booked or moved at `now`, goes out (None: none)."""
    if start - now >= DAY_BEFORE_MIN_NOTICE:
        return start - DAY_BEFORE_LEAD
    if start - now >= LATE_MIN_NOTICE:
        return start - LATE_LEAD
    return None


def reminder_promise(start: datetime, send_after: datetime | None) -> str:
    """The sentence, in the active language, that tells the patient when their reminder comes
    ("" when none is queued)."""
    if send_after is None:
        return ""
    return gettext(MSG_REMINDER_DAY_BEFORE if start - send_after >= DAY_BEFORE_LEAD else MSG_REMINDER_LATE)


def queued_reminder_promise(appointment: Appointment) -> str:
    """The promise for the reminder actually waiting in the outbox for this version (one query)."""
    return reminder_promise(appointment.start, notifications.queued_reminder_send_after(appointment))


# --- Composing ------------------------------------------------------------------------------


def manage_url(token: str) -> str:
    """The patient's private link, in the active language (/es/book/manage/... in Spanish)."""
    return settings.SITE_URL + reverse("scheduling:manage", args=[token])


def admin_url(appointment: Appointment) -> str:
    return settings.SITE_URL + reverse("admin:scheduling_appointment_change", args=[appointment.pk])


def _composed_in(language_of):
    """A decorator: compose under `language_of(appointment)` (dates, zone names, links, subject,
    text and .ics), whatever language the request, staff action or cron run is in."""

    def decorate(compose):
        @functools.wraps(compose)
        def wrapper(appointment: Appointment, **kwargs):
            with translation.override(language_of(appointment)):
                return compose(appointment, **kwargs)

        return wrapper

    return decorate


_to_patient = _composed_in(lambda appointment: appointment.language)
_to_staff = _composed_in(lambda appointment: STAFF_LANGUAGE)


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
    """One outbox row for this appointment version, rendered; written by `notifications.enqueue`."""
    recipient = settings.CLINIC_STAFF_EMAIL if kind in notifications.STAFF_KINDS else appointment.email
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


# Each message, one function: the patient's in their language, staff's in English.


@_to_patient
def _confirmation(appointment: Appointment, *, manage_token: str, send_after: datetime | None):
    return _outbox_row(
        appointment,
        Kind.CONFIRMATION,
        subject=gettext("Your meet-and-greet with %(doctor)s is confirmed") % {"doctor": DOCTOR},
        template="confirmation",
        context=_context(
            appointment,
            manage_url=manage_url(manage_token),
            reminder=reminder_promise(appointment.start, send_after),
        ),
        ics=appointment_ics(appointment),
    )


@_to_patient
def _reminder(appointment: Appointment, *, manage_token: str | None, send_after: datetime | None):
    if send_after is None:
        return None
    subject = gettext("Reminder: your meet-and-greet with %(doctor)s is on %(day)s") % {
        "doctor": DOCTOR,
        "day": format_day(appointment.start, appointment.patient_zone),
    }
    return _outbox_row(
        appointment,
        Kind.REMINDER,
        subject=subject,
        template="reminder",
        context=_context(appointment, manage_url=manage_token and manage_url(manage_token)),
        send_after=send_after,
    )


@_to_patient
def _new_time(appointment: Appointment, *, previous_start: datetime, manage_token: str | None, send_after):
    return _outbox_row(
        appointment,
        Kind.RESCHEDULE,
        subject=gettext("Your meet-and-greet with %(doctor)s has a new time") % {"doctor": DOCTOR},
        template="reschedule",
        context=_context(
            appointment,
            manage_url=manage_token and manage_url(manage_token),
            previous=when_labels(appointment, previous_start),
            reminder=reminder_promise(appointment.start, send_after),
        ),
        ics=appointment_ics(appointment),
    )


@_to_patient
def _cancellation(appointment: Appointment, *, by_clinic: bool, message: str) -> Notification:
    return _outbox_row(
        appointment,
        Kind.CANCELLATION,
        subject=gettext("Your meet-and-greet with %(doctor)s is cancelled") % {"doctor": DOCTOR},
        template="cancellation",
        context=_context(appointment, by_clinic=by_clinic, message=message),
        ics=appointment_ics(appointment, cancel=True),
    )


@_to_patient
def _manage_link(appointment: Appointment, *, manage_token: str) -> Notification:
    return _outbox_row(
        appointment,
        Kind.MANAGE_LINK,
        subject=gettext("Your link to manage your meet-and-greet with %(doctor)s") % {"doctor": DOCTOR},
        template="manage_link",
        context=_context(appointment, manage_url=manage_url(manage_token)),
    )


def _staff_subject_time(instant: datetime) -> str:
    return format_when(instant, clinic_zone(), year=False)


@_to_staff
def _staff_alert(appointment: Appointment) -> Notification:
    return _outbox_row(
        appointment,
        Kind.STAFF_ALERT,
        subject=f"New meet-and-greet booked for {_staff_subject_time(appointment.start)}",
        template="staff_alert",
        context=_context(appointment, admin_url=admin_url(appointment)),
    )


@_to_staff
def _staff_moved(appointment: Appointment, *, previous_start: datetime) -> Notification:
    return _outbox_row(
        appointment,
        Kind.STAFF_RESCHEDULE,
        subject=f"Meet-and-greet moved to {_staff_subject_time(appointment.start)}",
        template="staff_reschedule",
        context=_context(
            appointment, admin_url=admin_url(appointment), previous=when_labels(appointment, previous_start)
        ),
    )


@_to_staff
def _staff_cancelled(appointment: Appointment, *, by_clinic: bool) -> Notification:
    return _outbox_row(
        appointment,
        Kind.STAFF_CANCELLATION,
        subject=f"Meet-and-greet cancelled: {_staff_subject_time(appointment.start)}",
        template="staff_cancellation",
        context=_context(appointment, by_clinic=by_clinic, admin_url=admin_url(appointment)),
    )


@_to_staff
def _staff_contact_changed(appointment: Appointment) -> Notification:
    return _outbox_row(
        appointment,
        Kind.STAFF_CONTACT_CHANGE,
        subject=f"Meet-and-greet contact details changed: {_staff_subject_time(appointment.start)}",
        template="staff_contact_change",
        context=_context(appointment, admin_url=admin_url(appointment)),
    )


# A manage link as the messages carry it (the token is URL-safe base64: secrets.token_urlsafe),
# under /book/manage/ or /es/book/manage/: the language prefix is kept as composed.
MANAGE_LINK_TOKEN = re.compile(r"(/book/manage/)[A-Za-z0-9_-]+/")


def _relink_pending(appointment: Appointment, manage_token: str) -> None:
    """Every message to the patient not sent yet gets the newest link: a new link revokes the
    one it was rendered with. All kinds (confirmation, new time, reminder, link), since any may
    still wait for a mail server that was down; the rest of each message stays as queued."""
    pending = Notification.objects.filter(appointment=appointment, status=Notification.Status.PENDING)
    for row in pending.exclude(kind__in=notifications.STAFF_KINDS):
        body_text = MANAGE_LINK_TOKEN.sub(rf"\g<1>{manage_token}/", row.body_text)
        body_html = MANAGE_LINK_TOKEN.sub(rf"\g<1>{manage_token}/", row.body_html)
        if (body_text, body_html) != (row.body_text, row.body_html):
            Notification.objects.filter(pk=row.pk, status=Notification.Status.PENDING).update(
                body_text=body_text, body_html=body_html
            )


# --- What each change queues (inside the caller's transaction) -----------------------------


def notify_booked(appointment: Appointment, *, manage_token: str) -> None:
    """Queue the patient's confirmation (with .ics), the staff alert and the reminder (see
    `reminder_send_after`); the confirmation says when the reminder comes."""
    send_after = reminder_send_after(appointment.start, timezone.now())
    notifications.enqueue(
        [
            _confirmation(appointment, manage_token=manage_token, send_after=send_after),
            _staff_alert(appointment),
            _reminder(appointment, manage_token=manage_token, send_after=send_after),
        ]
    )


def notify_cancelled(appointment: Appointment, *, by_clinic: bool, message: str = "") -> None:
    """Queue the cancellation (with a METHOD:CANCEL .ics) and the staff alert; drop pending reminders."""
    notifications.cancel_superseded(appointment)
    notifications.enqueue(
        [
            _cancellation(appointment, by_clinic=by_clinic, message=message),
            _staff_cancelled(appointment, by_clinic=by_clinic),
        ]
    )


def notify_moved(appointment: Appointment, *, previous_start: datetime, manage_token: str | None) -> None:
    """Queue the new time to the patient (updated .ics), the staff alert and a new reminder.

    `manage_token` is the raw token when the caller knows it (a staff move issues a new one;
    a patient move keeps theirs, known from the link's URL); without it the email points to
    the link in the earlier email.
    """
    notifications.cancel_superseded(appointment)
    send_after = reminder_send_after(appointment.start, timezone.now())
    notifications.enqueue(
        [
            _new_time(
                appointment, previous_start=previous_start, manage_token=manage_token, send_after=send_after
            ),
            _staff_moved(appointment, previous_start=previous_start),
            _reminder(appointment, manage_token=manage_token, send_after=send_after),
        ]
    )


def notify_contact_changed(appointment: Appointment, *, manage_token: str) -> None:
    """The patient changed their phone number or the way to talk (the version was raised):
    messages to the patient not sent yet stay due for this version, the reminder rewritten with
    the new details; staff get an alert without patient details."""
    pending = Notification.objects.filter(
        appointment=appointment, status=Notification.Status.PENDING
    ).exclude(kind__in=[*notifications.STAFF_KINDS, Kind.CANCELLATION])
    for row in pending:
        fields = {"appointment_version": appointment.version}
        if row.kind == Kind.REMINDER:
            rewritten = _reminder(appointment, manage_token=manage_token, send_after=row.send_after)
            fields.update(body_text=rewritten.body_text, body_html=rewritten.body_html)
        Notification.objects.filter(pk=row.pk, status=Notification.Status.PENDING).update(**fields)
    notifications.enqueue([_staff_contact_changed(appointment)])


def notify_manage_link(appointment: Appointment, *, manage_token: str) -> None:
    """Queue a fresh manage link (someone tried to book again with the same email).

    At most one such email per appointment version, so the booking form cannot be used to
    flood an inbox. Messages not sent yet (this one, a confirmation still waiting for the mail
    server, the reminder) get the new link, since issuing it revoked the old one.
    """
    _relink_pending(appointment, manage_token)
    if not notifications.queued(appointment, Kind.MANAGE_LINK):
        notifications.enqueue([_manage_link(appointment, manage_token=manage_token)])


def notify_status_changed(appointment: Appointment) -> None:
    """Completed or no-show: nothing more to tell the patient, so pending reminders are dropped."""
    notifications.cancel_superseded(appointment)
    if appointment.status != Appointment.Status.CONFIRMED:
        Notification.objects.filter(
            appointment=appointment, kind=Kind.REMINDER, status=Notification.Status.PENDING
        ).update(status=Notification.Status.CANCELLED, last_error="appointment no longer confirmed")
