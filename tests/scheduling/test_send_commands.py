"""`send_notifications` and `send_reminders`: due messages go once, whatever runs them and however
often; reminders only for confirmed appointments still ahead."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from scheduling.models import Notification
from scheduling.notifications import CLAIM_BATCH, CLAIM_LEASE, deliver_due
from tests.scheduling.notify_factories import EMAIL, book, cancel, in_days, move
from tests.threads import at_once

Kind = Notification.Kind
Status = Notification.Status

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def make_reminder_due(appointment) -> Notification:
    """As if the clock had reached the day before the call."""
    Notification.objects.filter(appointment=appointment, kind=Kind.REMINDER).update(
        send_after=timezone.now() - timedelta(minutes=1)
    )
    return appointment.notifications.get(kind=Kind.REMINDER)


def reminders_sent() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Reminder:")]


@pytest.mark.django_db
def test_send_notifications_sends_what_is_due_and_reports_it():
    first, _ = book(start=in_days(3))
    second, _ = book(start=in_days(3), email="second.patient@example.org")
    mail.outbox.clear()  # confirmations and staff alerts went right after each booking
    make_reminder_due(first)
    make_reminder_due(second)

    output = run("send_notifications")

    assert output.strip() == "Sent 2, retrying later 0, failed 0, no longer needed 0."
    assert sorted(m.to[0] for m in mail.outbox) == sorted([EMAIL, "second.patient@example.org"])
    assert Notification.objects.filter(status=Status.SENT).count() == 6
    assert run("send_notifications").startswith("Sent 0,")


@pytest.mark.django_db
def test_messages_a_request_never_sent_go_with_the_first_run_after_its_claim_ends():
    """The request that queues a message claims it, to send it right after its commit. Should it
    die first, the message is not lost: the claim ends and the cron run sends it."""
    with mock.patch("scheduling.notifications.send_quietly"):
        book()
    assert mail.outbox == []

    assert deliver_due().sent == 0  # still claimed by the request
    later = deliver_due(now=timezone.now() + CLAIM_LEASE)

    assert later.sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([EMAIL, "staff@localhost"])


@pytest.mark.django_db
def test_a_due_reminder_is_sent_once_even_when_the_command_runs_twice():
    appointment, token = book(start=in_days(3))
    run("send_notifications")
    mail.outbox.clear()
    make_reminder_due(appointment)

    first = run("send_reminders")
    second = run("send_reminders")
    third = run("send_notifications")

    assert first.startswith("Sent 1,")
    assert second.startswith("Sent 0,") and third.startswith("Sent 0,")
    [reminder] = reminders_sent()
    assert reminder.to == [EMAIL]
    assert f"/book/manage/{token}/" in reminder.body
    assert "call or text 988" in reminder.body
    assert appointment.notifications.get(kind=Kind.REMINDER).status == Status.SENT


@pytest.mark.django_db
def test_reminders_are_not_sent_for_cancelled_past_or_far_future_appointments():
    cancelled, _ = book(start=in_days(3))
    cancel(cancelled)
    Notification.objects.filter(appointment=cancelled, kind=Kind.REMINDER).update(status=Status.PENDING)
    past, _ = book(start=in_days(3))
    past.start, past.end = (
        timezone.now() - timedelta(hours=2),
        timezone.now() - timedelta(hours=1, minutes=50),
    )
    past.save()
    far, _ = book(start=in_days(20))
    for appointment in (cancelled, past):
        make_reminder_due(appointment)

    output = run("send_reminders")

    assert reminders_sent() == []
    assert output.strip() == "Sent 0, retrying later 0, failed 0, no longer needed 2."
    assert cancelled.notifications.get(kind=Kind.REMINDER).status == Status.CANCELLED
    assert past.notifications.get(kind=Kind.REMINDER).status == Status.CANCELLED
    assert far.notifications.get(kind=Kind.REMINDER).status == Status.PENDING


@pytest.mark.django_db
def test_a_reminder_of_an_earlier_time_is_never_sent_after_a_move():
    appointment, token = book(start=in_days(3))
    stale = make_reminder_due(appointment)
    # A move that bypassed notify_moved's own clean-up still cannot send the stale reminder.
    Notification.objects.filter(pk=stale.pk).update(status=Status.PENDING)
    move(appointment, in_days(6), manage_token=token)
    Notification.objects.filter(pk=stale.pk).update(status=Status.PENDING)

    run("send_reminders")

    assert reminders_sent() == []
    stale.refresh_from_db()
    assert stale.status == Status.CANCELLED and stale.last_error == "superseded by a later change"


@pytest.mark.django_db
def test_send_reminders_sends_only_reminders():
    with mock.patch("scheduling.notifications.send_quietly"):  # the request never sent its messages
        appointment, _ = book(start=in_days(3))
    appointment.notifications.update(send_after=timezone.now() - timedelta(minutes=1))  # all due

    run("send_reminders")

    assert [m.subject[:9] for m in mail.outbox] == ["Reminder:"]
    assert appointment.notifications.get(kind=Kind.CONFIRMATION).status == Status.PENDING
    assert run("send_notifications").startswith("Sent 2,")


@pytest.mark.django_db
def test_with_the_server_down_the_command_says_so_and_keeps_everything_pending(settings):
    appointments = [book(start=in_days(3), email=f"patient{n}@example.org")[0] for n in range(2)]
    for appointment in appointments:
        make_reminder_due(appointment)
    settings.EMAIL_BACKEND = "tests.scheduling.notify_factories.DownBackend"

    output = run("send_notifications")

    assert "Stopped early: the mail server did not answer" in output
    reminders = Notification.objects.filter(kind=Kind.REMINDER)
    assert set(reminders.values_list("status", flat=True)) == {Status.PENDING}
    # The first was tried and waits for its retry; the second was never tried and is due still.
    assert sorted(reminders.values_list("attempts", flat=True)) == [0, 1]
    assert reminders.filter(send_after__lte=timezone.now()).count() == 1


@pytest.mark.django_db
def test_two_runs_one_after_the_other_never_send_a_message_twice():
    for n in range(15):
        appointment, _ = book(start=in_days(3), email=f"patient{n}@example.org")
        make_reminder_due(appointment)
    mail.outbox.clear()

    first = deliver_due()
    second = deliver_due()

    assert first.sent == 15 and second.sent == 0  # more than one claim's worth
    assert len(mail.outbox) == 15


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="row locks with SKIP LOCKED need PostgreSQL; SQLite has none")
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_message_exactly_once(settings):
    settings.EMAIL_BACKEND = "tests.scheduling.notify_factories.SlowBackend"
    for n in range(40):
        appointment, _ = book(email=f"patient{n}@example.org", start=in_days(3))
        make_reminder_due(appointment)
    mail.outbox.clear()
    expected = Notification.objects.filter(status=Status.PENDING).count()
    assert expected == 40  # the reminders: the rest went right after each booking

    workers = 4
    sent_by_worker = at_once(lambda index: deliver_due().sent, workers)

    assert sum(sent_by_worker) == expected
    assert len(mail.outbox) == expected
    # Every message went once: no (recipient, body) pair twice.
    assert len({(m.to[0], m.subject, m.body) for m in mail.outbox}) == expected
    assert set(Notification.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
    assert expected > 2 * CLAIM_BATCH  # enough for several claims
    # The control: the workers really ran at the same time (more than one did some of the work).
    assert sum(1 for n in sent_by_worker if n) >= 2, sent_by_worker


@pytest.mark.django_db
def test_a_batch_is_marked_sent_in_one_update_and_a_failure_midway_keeps_what_went(
    settings, django_assert_num_queries
):
    """Marking each message sent was an UPDATE (and a wait for the disk) per message."""
    import smtplib

    from scheduling import notifications

    appointments = [book(start=in_days(3), email=f"patient{n}@example.org")[0] for n in range(3)]
    for appointment in appointments:
        make_reminder_due(appointment)
    rows, _ = notifications._claim_due(now=timezone.now(), kinds=[Kind.REMINDER], batch=10)
    assert len(rows) == 3

    report, outgoing = notifications.DeliveryReport(), mail.get_connection()
    with django_assert_num_queries(1):
        notifications._send_claimed(rows[:2], connection=outgoing, now=timezone.now(), report=report)
    assert report.sent == 2
    assert Notification.objects.filter(pk__in=[r.pk for r in rows[:2]], status=Status.SENT).count() == 2

    # The server goes down after one more message: the one that went is marked, the rest wait.
    connection = mail.get_connection()
    sent = []

    def send_messages(messages):
        if sent:
            raise smtplib.SMTPServerDisconnected("gone")
        sent.extend(messages)
        return len(messages)

    connection.send_messages = send_messages
    row = rows[2]
    again, _ = book(start=in_days(4), email="patient9@example.org")
    later = make_reminder_due(again)
    report = notifications.DeliveryReport()
    notifications._send_claimed([row, later], connection=connection, now=timezone.now(), report=report)
    assert report.sent == 1 and report.stopped_early
    assert Notification.objects.get(pk=row.pk).status == Status.SENT
    assert Notification.objects.get(pk=later.pk).status == Status.PENDING
