"""`manage.py purge_appointments`: personal data of old appointments goes, anonymous counts stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from scheduling.models import Appointment, Notification, Throttle
from scheduling.retention import PURGED_EMAIL, PURGED_NAME, PURGED_RECIPIENT
from tests.scheduling import admin_factories as f

pytestmark = pytest.mark.django_db


def ago(days: float):
    return timezone.now().replace(microsecond=0) - timedelta(days=days)


def with_history(appointment, user):
    appointment.issue_manage_token()
    appointment.save()
    Notification.objects.create(
        appointment=appointment,
        kind=Notification.Kind.CONFIRMATION,
        appointment_version=1,
        recipient=appointment.email,
        status=Notification.Status.SENT,
        subject="Your meet-and-greet is confirmed",
        body_text=f"Hello {appointment.full_name}",
        body_html=f"<p>Hello {appointment.full_name}</p>",
        ics=f"ATTENDEE:mailto:{appointment.email}",
    )
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Appointment),
        object_id=str(appointment.pk),
        object_repr=str(appointment),
        action_flag=CHANGE,
        change_message=f"Changed phone from {appointment.phone}",
    )
    return appointment


def purge() -> str:
    out = StringIO()
    call_command("purge_appointments", stdout=out)
    return out.getvalue()


def test_purge_removes_exactly_the_old_personal_data_and_keeps_counts():
    user = f.superuser()
    old = with_history(f.appointment(ago(400), status="completed"), user)
    recent = with_history(f.appointment(ago(30), email="recent@example.org", status="no_show"), user)
    recent_before = Appointment.objects.values().get(pk=recent.pk)

    output = purge()

    assert "Purged the personal data of 1 appointment(s) older than 365 days" in output
    assert f.PATIENT_NAME not in output and f.PATIENT_EMAIL not in output
    old.refresh_from_db()
    assert (old.full_name, old.email, old.phone, old.note) == (PURGED_NAME, PURGED_EMAIL, "", "")
    assert old.manage_token_hash is None and old.purged_at is not None
    # What counting needs stays.
    assert (old.status, old.state, old.time_zone, old.contact_method) == (
        "completed",
        "NY",
        "America/New_York",
        "phone",
    )
    message = old.notifications.get()
    assert (message.recipient, message.body_text, message.body_html, message.ics) == (
        PURGED_RECIPIENT,
        "",
        "",
        "",
    )
    assert message.subject == "Your meet-and-greet is confirmed"
    assert LogEntry.objects.get(object_id=str(old.pk)).change_message == ""
    # The recent one is untouched, with its outbox row and admin log.
    assert Appointment.objects.values().get(pk=recent.pk) == recent_before
    assert recent.notifications.get().recipient == "recent@example.org"
    assert LogEntry.objects.get(object_id=str(recent.pk)).change_message.startswith("Changed phone")
    assert Appointment.objects.count() == 2


def test_purge_is_idempotent():
    old = f.appointment(ago(400))
    purge()
    old.refresh_from_db()
    first_purge = old.purged_at

    output = purge()

    old.refresh_from_db()
    assert "of 0 appointment(s)" in output
    assert old.purged_at == first_purge


def test_retention_days_come_from_settings(settings):
    settings.APPOINTMENT_RETENTION_DAYS = 20
    month_old = f.appointment(ago(30))
    week_old = f.appointment(ago(7), email="week@example.org")

    purge()

    month_old.refresh_from_db()
    week_old.refresh_from_db()
    assert month_old.full_name == PURGED_NAME
    assert week_old.full_name == f.PATIENT_NAME


def test_an_appointment_is_kept_until_it_has_ended_long_enough():
    # Started 365 days and 5 minutes ago, ended 5 minutes later: ends inside the window, kept.
    edge = f.appointment(ago(365) - timedelta(minutes=5), minutes=10)

    purge()

    edge.refresh_from_db()
    assert edge.purged_at is None


def test_a_pending_message_of_a_purged_appointment_is_withdrawn():
    old = f.appointment(ago(400))
    Notification.objects.create(
        appointment=old,
        kind="reminder",
        appointment_version=1,
        recipient=old.email,
        subject="s",
        body_text="b",
    )

    purge()

    assert Notification.objects.get().status == Notification.Status.CANCELLED


def test_rate_limit_counters_are_kept_a_day_at_most():
    now = timezone.now()
    Throttle.objects.create(key="yesterday", window_start=now - timedelta(days=1, minutes=1), count=3)
    Throttle.objects.create(key="this morning", window_start=now - timedelta(hours=6), count=1)

    output = purge()

    assert "and 1 rate-limit counter(s) older than a day" in output
    assert list(Throttle.objects.values_list("key", flat=True)) == ["this morning"]
