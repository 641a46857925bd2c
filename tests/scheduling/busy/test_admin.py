"""Busy calendars in admin: the secret address is masked once saved and never echoed, logged or
audited; "Sync now" runs the sync and says what happened."""

import logging

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages

from clinic.models import AuditEvent
from scheduling import selectors
from scheduling.busy.admin import MSG_ADDRESS_REQUIRED
from scheduling.models import BusyCalendar
from tests.scheduling import admin_factories as f
from tests.scheduling.busy.factories import SECRET_PATH, make_calendar
from tests.scheduling.busy.server import fixture
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

ADD = "/admin/scheduling/busycalendar/add/"
LIST = "/admin/scheduling/busycalendar/"
GOOGLE = "https://calendar.google.com" + SECRET_PATH
SECRET = "private-9f8e7d6c"


def change_url(calendar) -> str:
    return f"/admin/scheduling/busycalendar/{calendar.pk}/change/"


@pytest.fixture
def owner(client):
    staff_login(client, f.superuser())
    return client


def test_staff_add_a_calendar_by_name_and_secret_address(owner, caplog):
    caplog.set_level(logging.DEBUG)

    response = owner.post(ADD, {"name": "Hospital", "address": GOOGLE, "paused": ""})

    assert response.status_code == 302
    calendar = BusyCalendar.objects.get()
    assert (calendar.name, calendar.url) == ("Hospital", GOOGLE)
    event = AuditEvent.objects.get(action=AuditEvent.Action.ADD)
    assert "address" in event.fields
    assert SECRET not in event.detail + " ".join(event.fields)
    assert SECRET not in " ".join(str(entry.change_message) for entry in LogEntry.objects.all())
    assert SECRET not in caplog.text


def test_a_saved_address_is_shown_masked_and_never_sent_back(owner):
    calendar = make_calendar(GOOGLE)

    page = owner.get(change_url(calendar)).content.decode()

    assert SECRET not in page
    assert "calendar.google.com" not in page.replace("https://calendar.google.com/•••••••• (hidden)", "")
    assert "https://calendar.google.com/•••••••• (hidden)" in page
    assert "Leave empty to keep the saved address." in page


def test_saving_without_a_new_address_keeps_the_old_one(owner):
    calendar = make_calendar(GOOGLE)

    owner.post(change_url(calendar), {"name": "Hospital (Mount Sinai)", "address": "", "paused": "on"})

    calendar.refresh_from_db()
    assert (calendar.name, calendar.url, calendar.paused) == ("Hospital (Mount Sinai)", GOOGLE, True)


def test_a_new_address_replaces_the_old_one_and_forgets_what_the_old_server_said(owner):
    calendar = make_calendar(GOOGLE, etag='"abc"', last_modified="Sat, 28 Nov 2026 15:00:00 GMT")

    owner.post(
        change_url(calendar), {"name": "Hospital", "address": "webcal://p52-caldav.icloud.com/published/2/x"}
    )

    calendar.refresh_from_db()
    assert calendar.url == "webcal://p52-caldav.icloud.com/published/2/x"
    assert (calendar.etag, calendar.last_modified) == ("", "")


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", MSG_ADDRESS_REQUIRED),
        ("ftp://calendar.example/x.ics", "This address cannot be used: the address must start with https://"),
        (
            "calendar.google.com/calendar/ical/x/basic.ics",
            "This address cannot be used: the address must start",
        ),
    ],
)
def test_an_address_that_cannot_be_fetched_is_refused_with_a_clear_message(owner, address, message):
    response = owner.post(ADD, {"name": "Hospital", "address": address})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BusyCalendar.objects.exists()


def test_sync_now_syncs_the_chosen_calendar_and_reports_it(
    owner, calendars, django_capture_on_commit_callbacks
):
    calendars.files[SECRET_PATH] = fixture("google.ics")
    calendar = make_calendar(calendars.url(SECRET_PATH))

    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(LIST, {"action": "sync_now", "_selected_action": [calendar.pk]}, follow=True)

    calendar.refresh_from_db()
    assert calendar.busy_count > 0
    shown = [str(message) for message in get_messages(response.wsgi_request)] or [response.content.decode()]
    assert any(f"Hospital: {calendar.busy_count} busy times (changed)" in text for text in shown)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACTION, detail="Synced now").count() == 1


def test_the_list_shows_each_calendars_state_last_success_and_count(owner, calendars):
    calendars.files["/ok.ics"] = fixture("apple.ics")
    good = make_calendar(calendars.url("/ok.ics"), name="Home")
    failing = make_calendar(calendars.url("/gone.ics"), name="Old hospital")
    owner.post(LIST, {"action": "sync_now", "_selected_action": [good.pk, failing.pk]})

    page = owner.get(LIST).content.decode()

    good.refresh_from_db()
    assert "Failing: the address answered 404 (Not Found). Its last good busy times still block." in page
    assert "OK" in page and str(good.busy_count) in page
    assert "/ok.ics" not in page and "/gone.ics" not in page


def test_pausing_a_calendar_drops_the_cached_slot_lists(owner, django_capture_on_commit_callbacks):
    calendar = make_calendar(GOOGLE)
    version = selectors.slots_version()

    with django_capture_on_commit_callbacks(execute=True):
        owner.post(change_url(calendar), {"name": "Hospital", "address": "", "paused": "on"})

    assert selectors.slots_version() != version


def test_front_desk_staff_cannot_see_the_doctors_calendars(client):
    staff_login(client, f.scheduling_staff())

    assert client.get(LIST).status_code == 403
