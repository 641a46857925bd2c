"""One sync per calendar at a time across servers (PostgreSQL only): servers that run the cron
job at the same moment fetch each calendar once between them."""

from contextlib import contextmanager

import pytest
from django.db import connection

from scheduling.busy import sync
from scheduling.busy.sync import MSG_ALREADY_SYNCING, busy_calendar_sync
from scheduling.models import BusyCalendar
from tests.scheduling.busy.factories import make_calendar
from tests.scheduling.busy.server import fixture
from tests.threads import at_once

SERVERS = 4

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the sync lock is a PostgreSQL advisory lock"
    ),
]


@pytest.fixture
def slow_calendar(calendars):
    calendars.files["/slow.ics"] = fixture("google.ics")
    calendars.delays["/slow.ics"] = 0.5  # every server is inside its sync while the others start
    return make_calendar(calendars.url("/slow.ics"))


def sync_from_every_server(calendar) -> list:
    return at_once(lambda _: busy_calendar_sync(calendar=BusyCalendar.objects.get(pk=calendar.pk)), SERVERS)


def test_servers_syncing_one_calendar_at_once_fetch_it_once(calendars, slow_calendar):
    results = sync_from_every_server(slow_calendar)

    assert calendars.hits("/slow.ics") == 1
    assert sum(result.ok for result in results) == 1
    assert [result.message for result in results if not result.ok] == [MSG_ALREADY_SYNCING] * (SERVERS - 1)
    slow_calendar.refresh_from_db()
    assert slow_calendar.busy_count == slow_calendar.busy_intervals.count() > 0


def test_control_without_the_lock_every_server_fetches(calendars, slow_calendar, monkeypatch):
    """Proves the harness really runs the syncs at the same time: without the lock, all fetch."""

    @contextmanager
    def no_lock(pk):
        yield True

    monkeypatch.setattr(sync, "_sync_lock", no_lock)

    sync_from_every_server(slow_calendar)

    assert calendars.hits("/slow.ics") == SERVERS
