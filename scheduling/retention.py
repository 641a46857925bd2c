"""Retention: remove the personal data of appointments that ended long ago, keep anonymous counts.

Run daily by `manage.py purge_appointments`. The appointment row stays (time, status, state,
zone, contact method, source: what counting needs); name, email, phone, note and the manage
link go, and so do the copies: the outbox rows' recipients and bodies, and the change messages
of Django's admin log for those appointments. Idempotent: purged rows are skipped.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from scheduling.models import Appointment, Notification

PURGED_NAME = "(removed)"
PURGED_EMAIL = "removed@invalid"
PURGED_PHONE = ""
PURGED_RECIPIENT = "(removed)"


@dataclass(frozen=True)
class PurgeResult:
    appointments: int
    notifications: int
    log_entries: int


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.APPOINTMENT_RETENTION_DAYS)


def appointments_purge(*, now: datetime | None = None) -> PurgeResult:
    """Blank the personal data of appointments that ended before the retention cutoff.

    One transaction; a fixed number of queries whatever the number of rows.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = Appointment.objects.filter(end__lt=retention_cutoff(now), purged_at__isnull=True)
        pks = list(due.values_list("pk", flat=True))
        if not pks:
            return PurgeResult(0, 0, 0)
        appointments = Appointment.objects.filter(pk__in=pks).update(
            full_name=PURGED_NAME,
            email=PURGED_EMAIL,
            phone=PURGED_PHONE,
            note="",
            manage_token_hash=None,
            purged_at=now,
            updated_at=now,
        )
        messages = Notification.objects.filter(appointment_id__in=pks)
        # A message still waiting (it should not be, a year on) can no longer be sent: no address.
        messages.filter(status=Notification.Status.PENDING).update(status=Notification.Status.CANCELLED)
        notifications = messages.update(
            recipient=PURGED_RECIPIENT, body_text="", body_html="", ics="", last_error=""
        )
        log_entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Appointment),
            object_id__in=[str(pk) for pk in pks],
        ).update(change_message="")
    return PurgeResult(appointments, notifications, log_entries)
