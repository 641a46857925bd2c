"""The staff iCal feed: a secret, revocable URL per staff user, with times and admin links only."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clinic.models import StaffFeedToken
from scheduling.models import Appointment
from tests.scheduling import admin_factories as f
from tests.staff import staff_login

pytestmark = pytest.mark.django_db
FEED_PAGE = reverse("admin:scheduling_appointment_feed_token")


def soon(days: float, hour: int = 15):
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def issue_feed(client) -> str:
    """Create the signed-in user's feed on the admin page; return the URL path it shows once."""
    response = client.post(FEED_PAGE, {"do": "create"})
    assert response.status_code == 200
    match = re.search(
        r'value="https?://[^/"]+(/admin/scheduling/appointment/feed/[^"]+\.ics)"', response.content.decode()
    )
    assert match, "the page shows the new feed address"
    return match.group(1)


@pytest.fixture
def staff_client(client):
    staff_login(client, f.scheduling_staff())
    return client


def test_feed_lists_upcoming_confirmed_appointments_without_patient_details(staff_client):
    upcoming = f.appointment(soon(2), note="Secret note about naltrexone")
    f.appointment(soon(3), status=Appointment.Status.CANCELLED_BY_CLINIC, email="c@example.org")
    f.appointment(soon(-10), email="past@example.org")
    path = issue_feed(staff_client)

    response = Client().get(path)  # a calendar app: no session, no login

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Meet-and-greet"
    assert event.decoded("DTSTART") == upcoming.start
    assert str(event["URL"]).endswith(reverse("admin:scheduling_appointment_change", args=[upcoming.pk]))
    for detail in (
        f.PATIENT_NAME,
        "Quixotewright",
        f.PATIENT_EMAIL,
        f.PATIENT_PHONE,
        "naltrexone",
        "Secret note",
    ):
        assert detail not in body


def test_the_token_is_stored_hashed_only(staff_client):
    path = issue_feed(staff_client)
    raw = path.rsplit("/", 1)[1].removesuffix(".ics")

    feed = StaffFeedToken.objects.get()
    assert raw not in feed.token_hash
    assert feed.token_hash != raw


def test_a_revoked_feed_stops_working(staff_client):
    path = issue_feed(staff_client)

    revoke = staff_client.post(FEED_PAGE, {"do": "revoke"}, follow=True)

    assert "Your calendar feed is revoked." in revoke.content.decode()
    assert Client().get(path).status_code == 404


def test_a_new_address_replaces_the_old_one(staff_client):
    old = issue_feed(staff_client)
    new = issue_feed(staff_client)

    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_superusers_revoke_anyones_feed_in_admin(staff_client):
    path = issue_feed(staff_client)
    boss = Client()
    staff_login(boss, f.superuser())

    boss.post(
        reverse("admin:clinic_stafffeedtoken_changelist"),
        {"action": "revoke", "_selected_action": [StaffFeedToken.objects.get().pk]},
    )

    assert Client().get(path).status_code == 404


def test_a_user_who_lost_access_loses_the_feed(staff_client):
    path = issue_feed(staff_client)
    user = StaffFeedToken.objects.get().user
    user.groups.clear()

    assert Client().get(path).status_code == 404


@pytest.mark.parametrize("token", ["nope", "x" * 43, "%3Cscript%3E"])
def test_unknown_tokens_get_404(client, token):
    assert client.get(f"/admin/scheduling/appointment/feed/{token}.ics").status_code == 404


def test_plain_staff_cannot_create_a_feed(client):
    staff_login(client, f.plain_staff())

    assert client.post(FEED_PAGE, {"do": "create"}).status_code == 403
    assert not StaffFeedToken.objects.exists()
