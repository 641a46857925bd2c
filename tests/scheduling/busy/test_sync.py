"""The sync service: stores busy times, keeps the last good ones on failure, alerts staff once."""

import logging
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from scheduling import selectors
from scheduling.busy import sync
from scheduling.busy.sync import MSG_ALREADY_SYNCING, busy_calendar_sync
from scheduling.models import BusyCalendar, BusyInterval, clinic_zone
from tests.scheduling.busy.factories import SECRET_PATH, make_calendar, one_event_file
from tests.scheduling.busy.server import fixture

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def stored(calendar) -> list[str]:
    zone = clinic_zone()
    return [
        f"{start.astimezone(zone):%m-%d %H:%M}-{end.astimezone(zone):%H:%M}"
        for start, end in calendar.busy_intervals.order_by("start").values_list("start", "end")
    ]


@pytest.fixture
def google(calendars):
    calendars.files[SECRET_PATH] = fixture("google.ics")
    return make_calendar(calendars.url(SECRET_PATH))


def test_a_sync_stores_the_busy_times_and_says_so_in_admin_fields(google, django_capture_on_commit_callbacks):
    version = selectors.slots_version()

    with django_capture_on_commit_callbacks(execute=True):
        result = busy_calendar_sync(calendar=google, now=NOW)

    google.refresh_from_db()
    assert result.ok and result.changed
    assert stored(google)[:3] == ["12-01 10:00-11:00", "12-02 15:00-16:30", "12-08 14:00-15:00"]
    assert google.busy_count == BusyInterval.objects.count() == len(stored(google))
    assert google.last_success_at == NOW
    assert google.last_error == ""
    assert selectors.slots_version() != version  # cached slot lists dropped
    assert str(result) == f"Hospital: {google.busy_count} busy times (changed)"


def test_busy_times_cover_the_booking_horizon_and_a_margin(google):
    busy_calendar_sync(calendar=google, now=NOW)

    google.refresh_from_db()
    last = google.busy_intervals.order_by("-start").first()
    # Horizon 30 days (+2) and 14 days of margin: the weekly Tuesday event runs into mid-January.
    assert last.start.astimezone(clinic_zone()).date() == datetime(2027, 1, 12).date()
    assert google.expanded_until == NOW + timedelta(days=46)


def test_an_unchanged_calendar_is_asked_conditionally_and_changes_nothing(
    calendars, google, django_capture_on_commit_callbacks
):
    busy_calendar_sync(calendar=google, now=NOW)
    before = stored(google)
    version = selectors.slots_version()

    with django_capture_on_commit_callbacks(execute=True):
        result = busy_calendar_sync(calendar=google, now=NOW + timedelta(minutes=5))

    _, headers = calendars.requests[-1]
    assert headers["If-None-Match"] == calendars.etag(fixture("google.ics"))
    assert result.ok and not result.changed
    assert stored(google) == before
    assert selectors.slots_version() == version
    google.refresh_from_db()
    assert google.last_success_at == NOW + timedelta(minutes=5)


def test_when_the_stored_times_no_longer_reach_the_horizon_the_whole_file_is_fetched(calendars, google):
    busy_calendar_sync(calendar=google, now=NOW)

    busy_calendar_sync(calendar=google, now=NOW + timedelta(days=15))

    _, headers = calendars.requests[-1]
    assert "If-None-Match" not in headers
    assert stored(google)[-1] == "01-26 10:00-11:00"


@pytest.mark.parametrize(
    ("break_it", "error"),
    [
        (
            lambda server: server.statuses.__setitem__(SECRET_PATH, 404),
            "the address answered 404 (Not Found)",
        ),
        (
            lambda server: server.files.__setitem__(SECRET_PATH, fixture("broken.ics")),
            "did not give a readable",
        ),
        (
            lambda server: server.delays.__setitem__(SECRET_PATH, 3),
            "the address took longer than 0.5 s to answer",
        ),
    ],
    ids=["404", "broken-file", "slow"],
)
def test_a_calendar_that_cannot_be_read_keeps_its_last_good_busy_times(
    settings, calendars, google, break_it, error
):
    settings.BUSY_CALENDAR_TIMEOUT_SECONDS = 0.5
    busy_calendar_sync(calendar=google, now=NOW)
    good = stored(google)
    break_it(calendars)

    result = busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=1))

    google.refresh_from_db()
    assert not result.ok
    assert stored(google) == good
    assert error in google.last_error
    assert google.last_success_at == NOW
    assert google.last_attempt_at == NOW + timedelta(hours=1)
    assert str(result).startswith(f"Hospital: failed ({google.last_error}); keeps its {len(good)} busy times")


def test_a_success_after_a_failure_clears_the_error(calendars, google):
    calendars.statuses[SECRET_PATH] = 500
    busy_calendar_sync(calendar=google, now=NOW)
    del calendars.statuses[SECRET_PATH]

    busy_calendar_sync(calendar=google, now=NOW + timedelta(minutes=5))

    google.refresh_from_db()
    assert google.last_error == ""
    assert google.busy_count > 0


def test_staff_get_one_alert_after_a_day_without_a_successful_sync(calendars, google, settings):
    settings.CLINIC_STAFF_EMAIL = "office@clinic.example"
    busy_calendar_sync(calendar=google, now=NOW)
    calendars.statuses[SECRET_PATH] = 404

    busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=23))
    assert mail.outbox == []
    busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=24, minutes=5))
    busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=30))

    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert alert.to == ["office@clinic.example"]
    assert alert.subject == "A busy calendar has not synced for a while"
    assert '"Hospital"' in alert.body
    assert "the address answered 404 (Not Found)" in alert.body
    assert f"/admin/scheduling/busycalendar/{google.pk}/change/" in alert.body
    # No calendar content and no secret address.
    for secret in ("Hospital consults", "Dentist", "Morningside", "private-9f8e7d6c", f":{calendars.port}"):
        assert secret not in alert.body


def test_after_a_recovery_a_new_outage_alerts_again(calendars, google):
    busy_calendar_sync(calendar=google, now=NOW)
    calendars.statuses[SECRET_PATH] = 404
    busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=25))
    del calendars.statuses[SECRET_PATH]
    busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=26))
    calendars.statuses[SECRET_PATH] = 404

    busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=51))

    assert len(mail.outbox) == 2


def test_a_calendar_that_never_synced_alerts_a_day_after_it_was_added(calendars):
    calendar = make_calendar(calendars.url("/missing.ics"))
    BusyCalendar.objects.filter(pk=calendar.pk).update(created_at=NOW - timedelta(hours=25))
    calendar.refresh_from_db()

    busy_calendar_sync(calendar=calendar, now=NOW)

    assert len(mail.outbox) == 1
    assert "since it was added" in mail.outbox[0].body


def test_the_secret_address_is_never_logged_nor_kept_in_errors(calendars, google, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    busy_calendar_sync(calendar=google, now=NOW)
    calendars.statuses[SECRET_PATH] = 404
    busy_calendar_sync(calendar=google, now=NOW + timedelta(hours=25))
    call_command("sync_busy_calendars")

    google.refresh_from_db()
    output = capsys.readouterr()
    for text in (caplog.text, google.last_error, output.out, output.err, mail.outbox[0].body):
        assert "private-9f8e7d6c" not in text
        assert "dr.p%40example.com" not in text


def test_a_paused_calendar_is_not_fetched(calendars, google):
    google.paused = True
    google.save()

    result = busy_calendar_sync(calendar=google, now=NOW)

    assert calendars.requests == []
    assert str(result) == "Hospital: paused, so not fetched"


def test_a_calendar_removed_while_the_job_ran_is_skipped(calendars, google):
    BusyCalendar.objects.filter(pk=google.pk).delete()

    result = busy_calendar_sync(calendar=google, now=NOW)

    assert calendars.requests == []
    assert str(result) == "Hospital: removed, so not fetched"


def test_the_command_syncs_every_calendar_that_is_not_paused(calendars, capsys):
    calendars.files["/a.ics"] = fixture("google.ics")
    calendars.files["/b.ics"] = fixture("apple.ics")
    make_calendar(calendars.url("/a.ics"), name="Hospital")
    make_calendar(calendars.url("/b.ics"), name="Home")
    make_calendar(calendars.url("/c.ics"), name="Old", paused=True)

    call_command("sync_busy_calendars")

    output = capsys.readouterr().out
    assert "Hospital: " in output and "Home: " in output and "Old" not in output
    assert calendars.hits("/c.ics") == 0
    assert BusyCalendar.objects.get(name="Home").busy_count > 0


def test_a_busy_time_replaced_in_the_calendar_is_replaced_in_storage(calendars):
    day = (NOW + timedelta(days=3)).date()
    calendars.files["/one.ics"] = one_event_file(day, time(10), time(11))
    calendar = make_calendar(calendars.url("/one.ics"))
    busy_calendar_sync(calendar=calendar, now=NOW)
    calendars.files["/one.ics"] = one_event_file(day, time(14), time(15))

    busy_calendar_sync(calendar=calendar, now=NOW + timedelta(minutes=5))

    assert stored(calendar) == [f"{day:%m-%d} 14:00-15:00"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the sync lock is a PostgreSQL advisory lock")
def test_a_calendar_being_synced_elsewhere_is_skipped(calendars, google):
    """Another server holds this calendar's lock: this one does not fetch it at the same time."""
    held, release = threading.Event(), threading.Event()

    def other_server():
        from django.db import connection as other

        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [sync.SYNC_LOCK, google.pk])
            held.set()
            release.wait(10)
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [sync.SYNC_LOCK, google.pk])
        other.close()

    thread = threading.Thread(target=other_server)
    thread.start()
    try:
        assert held.wait(10)
        result = busy_calendar_sync(calendar=google, now=NOW)
    finally:
        release.set()
        thread.join(10)

    assert not result.ok and result.message == MSG_ALREADY_SYNCING
    assert calendars.requests == []

    assert busy_calendar_sync(calendar=google, now=NOW).ok  # free again once the other is done
