import zoneinfo
from datetime import datetime, time, timedelta

import pytest

from tests.scheduling.factories import free_slots, make_appointment, open_every_day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hours():
    open_every_day()


def test_slots_json_lists_free_slots_in_the_requested_zone(client):
    today = datetime.now(zoneinfo.ZoneInfo("America/Chicago")).date()
    expected = free_slots("America/Chicago", days=3)

    response = client.get(
        "/book/slots.json", {"tz": "America/Chicago", "start": today.isoformat(), "days": 3}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["time_zone"] == "America/Chicago"
    first = body["slots"][0]
    shown = datetime.fromisoformat(first["start"])
    assert shown == expected[0].start
    assert shown.utcoffset() == expected[0].start.astimezone(zoneinfo.ZoneInfo("America/Chicago")).utcoffset()
    assert datetime.fromisoformat(first["end"]) - shown == timedelta(minutes=10)
    assert len(body["slots"]) == len(expected)


def test_a_booked_slot_disappears_from_slots_json(client, django_capture_on_commit_callbacks):
    today = datetime.now(zoneinfo.ZoneInfo("America/New_York")).date()
    params = {"tz": "America/New_York", "start": today.isoformat(), "days": 3}
    before = client.get("/book/slots.json", params).json()["slots"]
    taken = free_slots()[0]

    with django_capture_on_commit_callbacks(execute=True):
        make_appointment(start=taken.start, end=taken.end)

    after = client.get("/book/slots.json", params).json()["slots"]
    assert before[0]["start"] not in [s["start"] for s in after]


def test_days_without_hours_give_an_empty_list(client):
    from scheduling.models import WeeklyHours

    WeeklyHours.objects.all().delete()

    response = client.get("/book/slots.json", {"tz": "America/New_York", "start": "2030-01-01", "days": 5})

    assert response.status_code == 200
    assert response.json()["slots"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-12-01", "days": 3}, "tz is required"),
        ({"tz": "Europe/Paris", "start": "2026-12-01", "days": 3}, "tz must be one of"),
        ({"tz": "America/Chicago", "start": "2026-13-01", "days": 3}, "start must be YYYY-MM-DD"),
        ({"tz": "America/Chicago", "start": "99999-01-01", "days": 3}, "start must be YYYY-MM-DD"),
        ({"tz": "America/Chicago", "days": 3}, "start is required"),
        (
            {"tz": "America/Chicago", "start": "2026-12-01", "days": 0},
            "days must be a whole number from 1 to 62",
        ),
        (
            {"tz": "America/Chicago", "start": "2026-12-01", "days": 500},
            "days must be a whole number from 1 to 62",
        ),
        (
            {"tz": "America/Chicago", "start": "2026-12-01", "days": "x"},
            "days must be a whole number from 1 to 62",
        ),
        ({"tz": "America/Chicago", "start": "2026-12-01"}, "days is required"),
        ({"tz": "America/Chicago\x00", "start": "2026-12-01", "days": 3}, "tz"),
    ],
)
def test_bad_parameters_are_a_400_with_a_json_error(client, params, message):
    response = client.get("/book/slots.json", params)

    assert response.status_code == 400
    assert message in response.json()["error"]


@pytest.mark.parametrize("start", ["2027-03-12", "2027-11-05"])
def test_slots_json_keeps_clinic_hours_fixed_across_dst_changes(client, start):
    # 2027-03-14 and 2027-11-07: New York changes clocks; 09:00 clinic time moves in UTC.
    from scheduling.models import BookingRules

    rules = BookingRules.load()
    rules.minimum_notice_hours = 0
    rules.horizon_days = 365
    rules.save()
    if datetime.now().year > 2027:
        pytest.skip("the 2027 DST days are past; the engine's own tests cover every year")
    params = {"tz": "America/Los_Angeles", "start": start, "days": 5}

    slots = client.get("/book/slots.json", params).json()["slots"]
    starts = [datetime.fromisoformat(s["start"]) for s in slots]

    firsts = {}
    for start in starts:
        firsts.setdefault(start.date(), start)
    assert len(firsts) == 5
    offsets = {
        first.astimezone(zoneinfo.ZoneInfo("America/New_York")).utcoffset() for first in firsts.values()
    }
    assert len(offsets) == 2  # both sides of the change were shown
    for first in firsts.values():
        assert first.astimezone(zoneinfo.ZoneInfo("America/New_York")).time() == time(9)


def test_a_plain_query_is_answered_from_the_cache_without_building_the_form(client, monkeypatch):
    """The form cost more than the cached answer it guards; plain parameters are read directly."""
    from scheduling.public import views

    today = datetime.now(zoneinfo.ZoneInfo("America/New_York")).date().isoformat()
    params = {"tz": "America/New_York", "start": today, "days": "3"}
    first = client.get("/book/slots.json", params)
    built = []

    class CountedForm(views.SlotsJsonForm):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(views, "SlotsJsonForm", CountedForm)

    again = client.get("/book/slots.json", params)

    assert again.status_code == 200
    assert again.content == first.content
    assert built == []


@pytest.mark.parametrize(
    "params",
    [
        {"tz": "America/New_York", "start": "2030-01-05", "days": "62"},
        {"tz": "America/New_York", "start": "2030-01-05", "days": " 7 "},
        {"tz": "America/New_York", "start": "2030-1-5", "days": "7"},
        {"tz": "America/New_York", "start": "2030-01-05", "days": "063"},
        {"tz": "America/New_York", "start": "2030-01-05", "days": "0"},
        {"tz": "America/New_York", "start": "2030-01-05", "days": "١٢"},
        {"tz": "America/New_York", "start": "2030-W01-1", "days": "7"},
        {"tz": "America/New_York", "start": "2030-02-30", "days": "7"},
        {"tz": "America/New_York", "start": "2101-01-01", "days": "7"},
        {"tz": "Europe/Paris", "start": "2030-01-05", "days": "7"},
        {"tz": "America/New_York", "start": "2030-01-05"},
    ],
)
def test_every_query_gets_the_answer_the_form_gives(client, params):
    from scheduling.public.forms import SlotsJsonForm

    form = SlotsJsonForm(params)
    response = client.get("/book/slots.json", params)

    if form.is_valid():
        assert response.status_code == 200
        assert response.json()["time_zone"] == form.cleaned_data["tz"]
    else:
        assert response.status_code == 400
        assert response.json() == {"error": next(iter(form.errors.values()))[0]}
