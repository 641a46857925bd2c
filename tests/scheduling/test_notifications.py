"""The outbox: what a booking, a cancellation or a move queues, what the emails say, and how
sending survives a mail server that is down."""

import logging
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import resolve
from django.utils import timezone

from clinic.audit import Actor
from scheduling import messages, notifications, services
from scheduling.models import Appointment, Notification
from scheduling.notifications import MAX_ATTEMPTS, deliver_due
from tests.html import visible_text
from tests.scheduling.factories import free_slots, open_every_day
from tests.scheduling.notify_factories import (
    EMAIL,
    NAME,
    NOTE,
    PERSONAL_DATA,
    PHONE,
    book,
    cancel,
    in_days,
    move,
    utc,
)

Kind = Notification.Kind
Status = Notification.Status

CRISIS = "call or text 988"
DIAGNOSIS_WORDS = ["addiction", "opioid", "naltrexone", "substance", "alcohol", "overdose", "relapse"]


def kinds(appointment):
    return sorted(appointment.notifications.values_list("kind", flat=True))


def book_with_service(start, **overrides):
    values = {
        "start": start,
        "state": "CA",
        "time_zone": "America/Los_Angeles",
        "full_name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "contact_method": "phone",
        "note": NOTE,
        **overrides,
    }
    return services.appointment_book(**values)


def slot_at_least(hours: int):
    return next(s for s in free_slots(days=10) if s.start - timezone.now() >= timedelta(hours=hours))


def email_text(message) -> str:
    """Everything a reader of the email can see: subject, plain text, HTML text, attachments."""
    html = "".join(content for content, _ in message.alternatives)
    ics = "".join(part.get_payload(decode=True).decode() for part in message.attachments)
    return "\n".join([message.subject, message.body, visible_text(html), html, ics])


# --- What is queued -----------------------------------------------------------------


@pytest.mark.django_db
def test_booking_writes_confirmation_staff_alert_and_day_before_reminder():
    open_every_day()
    slot = slot_at_least(48)

    result = book_with_service(slot.start)

    rows = {row.kind: row for row in Notification.objects.all()}
    assert sorted(rows) == [Kind.CONFIRMATION, Kind.REMINDER, Kind.STAFF_ALERT]
    assert all(row.status == Status.PENDING and row.appointment_version == 1 for row in rows.values())
    assert rows[Kind.CONFIRMATION].recipient == EMAIL
    assert rows[Kind.REMINDER].recipient == EMAIL
    assert rows[Kind.STAFF_ALERT].recipient == "staff@localhost"
    assert rows[Kind.REMINDER].send_after == result.appointment.start - timedelta(hours=24)
    assert rows[Kind.CONFIRMATION].ics and not rows[Kind.STAFF_ALERT].ics


@pytest.mark.django_db
def test_a_call_booked_31_hours_ahead_gets_a_reminder_3_hours_before_and_the_email_says_so():
    start = (timezone.now() + timedelta(hours=31)).replace(second=0, microsecond=0)
    appointment, _ = book(start=start)
    deliver_due()

    [reminder] = appointment.notifications.filter(kind=Kind.REMINDER)
    assert reminder.send_after == start - timedelta(hours=3)
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    assert messages.MSG_REMINDER_LATE in message.body
    assert "The day before" not in message.body


@pytest.mark.django_db
def test_a_call_booked_days_ahead_promises_the_day_before_reminder_it_queues():
    appointment, _ = book(start=in_days(4))
    deliver_due()

    [reminder] = appointment.notifications.filter(kind=Kind.REMINDER)
    assert reminder.send_after == appointment.start - timedelta(hours=24)
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    assert messages.MSG_REMINDER_DAY_BEFORE in message.body
    assert messages.MSG_REMINDER_DAY_BEFORE in visible_text(message.alternatives[0][0])


@pytest.mark.django_db
def test_a_call_booked_a_few_hours_ahead_gets_no_reminder_and_no_promise_of_one():
    start = (timezone.now() + timedelta(hours=4)).replace(second=0, microsecond=0)
    appointment, _ = book(start=start)
    deliver_due()

    assert kinds(appointment) == [Kind.CONFIRMATION, Kind.STAFF_ALERT]
    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    assert "reminder" not in message.body


@pytest.mark.parametrize(
    ("hours_ahead", "lead_hours"), [(200, 24), (36, 24), (35.9, 3), (6, 3), (5.9, None), (1, None)]
)
def test_reminder_timing_rule(hours_ahead, lead_hours):
    now = utc(2030, 12, 2, 14, 0)
    start = now + timedelta(hours=hours_ahead)

    send_after = messages.reminder_send_after(start, now)

    assert send_after == (None if lead_hours is None else start - timedelta(hours=lead_hours))


@pytest.mark.django_db
def test_rolled_back_booking_writes_no_outbox_rows_and_sends_nothing(django_capture_on_commit_callbacks):
    open_every_day()
    slot = slot_at_least(48)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        book_with_service(slot.start)
        raise RuntimeError("something later in the same transaction failed")

    assert Appointment.objects.count() == 0
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_after_commit_the_confirmation_and_staff_alert_are_sent_at_once(django_capture_on_commit_callbacks):
    open_every_day()
    slot = slot_at_least(48)

    with django_capture_on_commit_callbacks(execute=True):
        book_with_service(slot.start)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([EMAIL, "staff@localhost"])
    statuses = dict(Notification.objects.values_list("kind", "status"))
    assert statuses == {
        Kind.CONFIRMATION: Status.SENT,
        Kind.STAFF_ALERT: Status.SENT,
        Kind.REMINDER: Status.PENDING,
    }


@pytest.mark.django_db
def test_the_same_message_cannot_be_queued_twice_for_one_version():
    appointment, token = book()

    with pytest.raises(IntegrityError), transaction.atomic():
        messages.notify_booked(appointment, manage_token=token)

    assert kinds(appointment) == [Kind.CONFIRMATION, Kind.REMINDER, Kind.STAFF_ALERT]


@pytest.mark.django_db
def test_cancellation_queues_patient_and_staff_messages_and_withdraws_the_reminder():
    appointment, _ = book()

    cancel(appointment)

    rows = {(row.kind, row.appointment_version): row for row in appointment.notifications.all()}
    assert rows[(Kind.REMINDER, 1)].status == Status.CANCELLED
    assert rows[(Kind.CANCELLATION, 2)].status == Status.SENT  # right after the commit
    assert "METHOD:CANCEL" in rows[(Kind.CANCELLATION, 2)].ics
    assert rows[(Kind.STAFF_CANCELLATION, 2)].recipient == "staff@localhost"


@pytest.mark.django_db
def test_move_queues_new_time_staff_alert_and_a_reminder_for_the_new_time():
    appointment, token = book()
    new_start = in_days(8)

    move(appointment, new_start, manage_token=token)

    rows = {(row.kind, row.appointment_version): row for row in appointment.notifications.all()}
    assert rows[(Kind.REMINDER, 1)].status == Status.CANCELLED
    assert rows[(Kind.REMINDER, 2)].status == Status.PENDING
    assert rows[(Kind.REMINDER, 2)].send_after == new_start - timedelta(hours=24)
    assert rows[(Kind.RESCHEDULE, 2)].status == Status.SENT  # right after the commit
    assert rows[(Kind.STAFF_RESCHEDULE, 2)].status == Status.SENT
    assert token in rows[(Kind.REMINDER, 2)].body_text


@pytest.mark.django_db
def test_completed_or_no_show_withdraws_the_pending_reminder():
    appointment, _ = book()

    services.appointment_set_status(
        appointment=appointment,
        status=Appointment.Status.NO_SHOW,
        actor=Actor(user=None),
        now=appointment.start + timedelta(minutes=15),
    )

    assert appointment.notifications.get(kind=Kind.REMINDER).status == Status.CANCELLED


@pytest.mark.django_db
def test_a_new_manage_link_replaces_the_revoked_one_in_messages_not_sent_yet():
    appointment, old_token = book()

    with transaction.atomic():
        new_token = appointment.issue_manage_token()
        appointment.save()
        messages.notify_manage_link(appointment, manage_token=new_token)
    with transaction.atomic():
        newest = appointment.issue_manage_token()
        appointment.save()
        messages.notify_manage_link(appointment, manage_token=newest)

    link = appointment.notifications.get(kind=Kind.MANAGE_LINK)
    reminder = appointment.notifications.get(kind=Kind.REMINDER)
    assert newest in link.body_text and newest in link.body_html
    assert newest in reminder.body_text
    assert old_token not in reminder.body_text
    assert appointment.notifications.filter(kind=Kind.MANAGE_LINK).count() == 1


# --- What the emails say ---------------------------------------------------------------


@pytest.mark.django_db
def test_confirmation_names_both_zones_how_to_reach_the_manage_link_and_the_crisis_line():
    # 2030-12-02 14:10 UTC: 6:10 AM in Los Angeles, 9:10 AM at the clinic in New York.
    appointment, token = book(start=utc(2030, 12, 2, 14, 10))
    deliver_due()

    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    text = message.body
    assert message.subject == "Your meet-and-greet with Dr. Panagopoulos is confirmed"
    assert "Monday, December 2, 2030, 6:10 AM Pacific Time (your time)" in text
    assert "Monday, December 2, 2030, 9:10 AM Eastern Time (the clinic's time)" in text
    assert "Dr. Panagopoulos will call you at the phone number you gave: (•••) •••-0187." in text
    assert "555" not in text and "(•••) •••-0187" in visible_text(message.alternatives[0][0])
    assert CRISIS in text and "911" in text
    link = next(line for line in text.splitlines() if "/book/manage/" in line)
    assert link == f"http://127.0.0.1:8000/book/manage/{token}/"
    assert resolve(link.removeprefix("http://127.0.0.1:8000")).url_name == "manage"
    html = visible_text(message.alternatives[0][0])
    assert "Monday, December 2, 2030, 6:10 AM Pacific Time" in html
    assert "Monday, December 2, 2030, 9:10 AM Eastern Time" in html
    assert CRISIS in html
    assert f'href="http://127.0.0.1:8000/book/manage/{token}/"' in message.alternatives[0][0]
    [ics] = message.attachments
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_filename() == "meet-and-greet.ics"


@pytest.mark.django_db
def test_video_calls_are_explained_as_video_calls():
    book(contact_method="video")
    deliver_due()

    [message] = [m for m in mail.outbox if m.to == [EMAIL]]
    assert "by video. Dr. Panagopoulos will email you a link to join" in message.body
    assert "will call you" not in message.body


@pytest.mark.django_db
def test_staff_alert_has_the_clinic_time_and_admin_link_and_no_patient_details():
    appointment, token = book(start=utc(2030, 12, 2, 14, 10))
    move(appointment, utc(2030, 12, 3, 15, 0), manage_token=token)
    cancel(appointment)
    deliver_due()

    staff = [m for m in mail.outbox if m.to == ["staff@localhost"]]
    assert [m.subject for m in staff] == [
        "New meet-and-greet booked for Monday, December 2, 9:10 AM Eastern Time",
        "Meet-and-greet moved to Tuesday, December 3, 10:00 AM Eastern Time",
        "Meet-and-greet cancelled: Tuesday, December 3, 10:00 AM Eastern Time",
    ]
    admin_link = f"http://127.0.0.1:8000/admin/scheduling/appointment/{appointment.pk}/change/"
    for message in staff:
        seen = email_text(message)
        assert admin_link in message.body
        for secret in [*PERSONAL_DATA, "California", "Pacific", "Los_Angeles", token]:
            assert secret not in seen, f"{secret!r} in staff email {message.subject!r}"
        assert message.attachments == []


@pytest.mark.django_db
def test_no_subject_names_the_patient_and_no_message_carries_the_note_or_a_diagnosis_word():
    appointment, token = book(start=utc(2030, 12, 2, 14, 10), contact_method="video")
    with transaction.atomic():
        messages.notify_manage_link(appointment, manage_token=token)
    services.appointment_change_contact(
        appointment=appointment,
        phone=PHONE,
        contact_method="phone",
        manage_token=token,
        actor=Actor(user=None),
    )
    appointment.refresh_from_db()
    move(appointment, utc(2030, 12, 3, 15, 0), manage_token=None)
    cancel(appointment, by_clinic=True, message="The doctor is ill that day.")

    rows = list(Notification.objects.all())
    assert {row.kind for row in rows} == set(Kind)  # every kind of message was rendered
    for row in rows:
        seen = "\n".join([row.subject, row.body_text, row.body_html, row.ics]).lower()
        for secret in [NAME, NOTE, PHONE, *DIAGNOSIS_WORDS]:
            assert secret.lower() not in seen, f"{secret!r} in {row.kind}"
        for secret in PERSONAL_DATA:
            assert secret not in row.subject


@pytest.mark.django_db
def test_cancellation_by_the_clinic_carries_its_message_and_an_invitation_to_rebook():
    appointment, _ = book(start=utc(2030, 12, 2, 14, 10))
    cancel(appointment, by_clinic=True, message="The doctor is ill that day.")
    deliver_due()

    [message] = [m for m in mail.outbox if m.subject.endswith("is cancelled")]
    assert "cancelled by the clinic" in message.body
    assert "The doctor is ill that day." in message.body
    assert "http://127.0.0.1:8000/book/" in message.body
    assert message.attachments[0].get_param("method") == "CANCEL"


@pytest.mark.django_db
def test_reschedule_email_shows_the_new_and_old_time_and_keeps_the_link():
    appointment, token = book(start=utc(2030, 12, 2, 14, 10))
    move(appointment, utc(2030, 12, 3, 15, 0), manage_token=token)
    deliver_due()

    [message] = [m for m in mail.outbox if m.subject.endswith("has a new time")]
    assert "Tuesday, December 3, 2030, 7:00 AM Pacific Time (your time)" in message.body
    assert "No longer: Monday, December 2, 2030, 6:10 AM Pacific Time" in message.body
    assert f"/book/manage/{token}/" in message.body


# --- Sending when the mail server is down ------------------------------------------------------


@pytest.mark.django_db
def test_booking_succeeds_with_the_mail_server_down_and_a_later_run_sends(
    settings, django_capture_on_commit_callbacks
):
    open_every_day()
    slot = slot_at_least(48)
    settings.EMAIL_BACKEND = "tests.scheduling.notify_factories.DownBackend"

    with django_capture_on_commit_callbacks(execute=True):
        result = book_with_service(slot.start)

    assert Appointment.objects.get().pk == result.appointment.pk
    confirmation = Notification.objects.get(kind=Kind.CONFIRMATION)
    assert confirmation.status == Status.PENDING
    assert confirmation.attempts == 1
    assert confirmation.last_error == "ConnectionRefusedError: Connection refused"
    assert Notification.objects.get(kind=Kind.STAFF_ALERT).status == Status.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The run stopped at the first refusal: the staff alert was never tried and goes now,
    # the confirmation waits for its backoff and goes with a later run.
    assert deliver_due().sent == 1
    assert deliver_due(now=timezone.now() + timedelta(minutes=2)).sent == 1

    assert sorted(m.to[0] for m in mail.outbox) == sorted([EMAIL, "staff@localhost"])
    assert Notification.objects.get(kind=Kind.CONFIRMATION).status == Status.SENT


@pytest.mark.django_db
def test_retries_back_off_and_give_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "tests.scheduling.notify_factories.DownBackend"
    appointment, _ = book(start=in_days(5))  # attempt 1: right after the commit
    Notification.objects.exclude(kind=Kind.CONFIRMATION).delete()
    row = Notification.objects.get()
    assert row.attempts == 1 and row.status == Status.PENDING
    assert timedelta(seconds=50) < row.send_after - timezone.now() <= timedelta(minutes=1)

    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        now = row.send_after
        deliver_due(now=now)
        row = Notification.objects.get()
        waits.append(row.send_after - now)

    assert row.status == Status.FAILED
    assert row.attempts == MAX_ATTEMPTS
    assert waits[:3] == [timedelta(minutes=m) for m in (5, 15, 60)]
    assert deliver_due(now=now + timedelta(days=1)).sent == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_refused_recipient_is_recorded_without_the_address_and_others_still_go():
    refused = smtplib.SMTPRecipientsRefused({EMAIL: (550, b"no such user " + EMAIL.encode())})
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if EMAIL in message.to:
            raise refused
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMessage, "send", send):
        book()  # the confirmation is refused right after the commit; the staff alert goes
        later = deliver_due(now=timezone.now() + timedelta(minutes=2))  # the retry, refused again

    assert [m.to for m in mail.outbox] == [["staff@localhost"]]
    assert later.sent == 0 and later.retrying == 1 and not later.stopped_early
    confirmation = Notification.objects.get(kind=Kind.CONFIRMATION)
    assert confirmation.status == Status.PENDING and confirmation.attempts == 2
    assert confirmation.last_error == "SMTPRecipientsRefused: recipient refused"


@pytest.mark.django_db
def test_sending_after_commit_never_fails_the_request(django_capture_on_commit_callbacks, caplog):
    open_every_day()
    slot = slot_at_least(48)

    with (
        mock.patch.object(notifications, "_send_claimed", side_effect=RuntimeError(EMAIL)),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.DEBUG),
    ):
        result = book_with_service(slot.start)

    assert result.appointment.pk
    assert Notification.objects.filter(status=Status.PENDING).count() == 3
    assert "cron will retry" in caplog.text
    assert EMAIL not in caplog.text


@pytest.mark.django_db
def test_logs_carry_no_personal_data(settings, client, django_capture_on_commit_callbacks, caplog):
    open_every_day()
    slot = slot_at_least(48)
    with caplog.at_level(logging.DEBUG):
        settings.EMAIL_BACKEND = "tests.scheduling.notify_factories.DownBackend"
        with django_capture_on_commit_callbacks(execute=True):
            result = book_with_service(slot.start)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        deliver_due(now=timezone.now() + timedelta(hours=1))
        client.get(f"/book/manage/{result.manage_token}/")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/book/manage/{result.manage_token}/cancel/", {"confirm": "yes"})
        deliver_due(now=timezone.now() + timedelta(hours=1))

    assert len(mail.outbox) == 4
    assert "Sent notification" in caplog.text  # logging was captured
    for secret in PERSONAL_DATA:
        assert secret not in caplog.text


@pytest.mark.django_db
def test_manage_link_sent_tells_whether_this_versions_link_email_went_out(django_capture_on_commit_callbacks):
    appointment, token = book()
    assert not notifications.manage_link_sent(appointment)
    with django_capture_on_commit_callbacks() as after_commit, transaction.atomic():
        messages.notify_manage_link(appointment, manage_token=token)
    assert not notifications.manage_link_sent(appointment)  # queued, not sent yet

    for callback in after_commit:
        callback()

    assert notifications.manage_link_sent(appointment)
