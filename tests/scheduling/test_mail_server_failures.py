"""A mail server that is down or hung: no patient waits for it, and every message goes out once,
with a link that works, when it is back. Real SMTP servers on 127.0.0.1 (tests/smtp.py)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from scheduling import notifications
from scheduling.models import Appointment, Notification
from scheduling.notifications import deliver_due
from tests.scheduling.factories import booking_data, free_slots, open_every_day
from tests.smtp import black_hole_mail_server, mail_server, use_smtp

pytestmark = pytest.mark.django_db

DETAILS = "/book/details/"
MANAGE_LINK = re.compile(r"https?://[^\s\"'<>]+/book/manage/[A-Za-z0-9_-]+/")


@pytest.fixture(autouse=True)
def _hours():
    open_every_day()


@pytest.fixture
def book(client, django_capture_on_commit_callbacks):
    """POST the booking form as patient `index` for `slot`, running the after-commit send as a
    real request does."""

    def post(slot, index: int):
        data = booking_data(slot.start, email=f"patient{index}@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(DETAILS, data)

    return post


def test_after_one_send_times_out_no_booking_waits_for_a_hung_mail_server_and_all_mail_goes_once_later(
    settings, monkeypatch, book
):
    monkeypatch.setattr(notifications, "IMMEDIATE_SEND_TIMEOUT", 0.5)
    slots = free_slots()[:4]

    with black_hole_mail_server() as hung:
        use_smtp(settings, hung.port)
        assert book(slots[0], 0).status_code == 302  # booked, after waiting for the server once
        assert hung.connections == 1
        for index, slot in enumerate(slots[1:], start=1):
            assert book(slot, index).status_code == 302
        assert hung.connections == 1  # the later bookings did not even try

    assert Appointment.objects.count() == 4
    with mail_server() as server:
        use_smtp(settings, server.port)
        # Cron runs once the first confirmation's retry is due, then again.
        later = timezone.now() + timedelta(minutes=2)
        first, second = deliver_due(now=later), deliver_due(now=later)

    assert (first.sent, second.sent) == (8, 0)
    received = [(m["To"], m["Subject"]) for m in server.messages]
    assert len(set(received)) == len(received) == 8  # each message exactly once
    assert sorted(to for to, _ in received) == sorted(
        [f"patient{i}@example.com" for i in range(4)] + ["staff@localhost"] * 4
    )
    assert not Notification.objects.filter(status=Notification.Status.PENDING, send_after__lte=later).exists()


def test_inline_sending_resumes_once_the_pause_is_over(settings, monkeypatch, book):
    monkeypatch.setattr(notifications, "IMMEDIATE_SEND_TIMEOUT", 0.5)
    slots = free_slots()[:2]
    with black_hole_mail_server() as hung:
        use_smtp(settings, hung.port)
        book(slots[0], 0)

    notifications.cache.delete(notifications.INLINE_SEND_PAUSED_KEY)  # as when the pause expires
    with mail_server() as server:
        use_smtp(settings, server.port)
        book(slots[1], 1)

    assert sorted(m["To"] for m in server.messages) == ["patient1@example.com", "staff@localhost"]


def test_a_confirmation_delayed_by_a_down_mail_server_carries_a_link_that_works_when_delivered(
    settings, client, book
):
    settings.EMAIL_BACKEND = "tests.scheduling.notify_factories.DownBackend"
    slots = free_slots()
    assert book(slots[0], 0).status_code == 302
    # The same patient sends the form again: a new link is issued (the old one is revoked).
    again = book(slots[1], 0)
    assert "already have an upcoming meet-and-greet" in again.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_due(now=timezone.now() + timedelta(minutes=2))

    to_patient = [m for m in mail.outbox if m.to == ["patient0@example.com"]]
    assert {m.subject for m in to_patient} == {
        "Your meet-and-greet with Dr. Panagopoulos is confirmed",
        "Your link to manage your meet-and-greet with Dr. Panagopoulos",
    }
    for message in to_patient:
        bodies = [message.body, *(content for content, _ in message.alternatives)]
        links = {link for body in bodies for link in MANAGE_LINK.findall(body)}
        assert links, message.subject
        for link in links:
            assert client.get(urlsplit(link).path).status_code == 200, message.subject
