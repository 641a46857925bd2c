"""Step 2 on a phone: a short row of days, the chosen day's times as large buttons, the clinic's time
said once for the day, one zone as text, and a week that starts at the first day that can have times."""

import zoneinfo
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest

from scheduling.models import BookingRules
from tests.html import visible_text
from tests.scheduling.factories import free_slots, open_every_day

pytestmark = pytest.mark.django_db

PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")
EASTERN = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _hours():
    open_every_day()


VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Picker(HTMLParser):
    """The day groups of the times page as a browser shows them and a screen reader names them:
    for each day's fieldset its legend, whether it is hidden, and each time's value, visible text
    (without .visually-hidden) and accessible name (all of the label's text)."""

    def __init__(self):
        super().__init__()
        self.groups: list[dict] = []
        self.day_links: list[dict] = []
        self._in = None  # "legend", "label", "link"
        self._hidden_depth = 0
        self._depth = 0
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        self._depth += 1
        if self._hidden_depth == 0 and "visually-hidden" in classes:
            self._hidden_depth = self._depth
        if tag == "fieldset" and "slot-day" in classes:
            self.groups.append(
                {"legend": "", "hidden": "hidden" in attrs, "disabled": "disabled" in attrs, "times": []}
            )
        elif tag == "legend" and self.groups and not self.groups[-1]["legend"]:
            self._in = "legend"
        elif tag == "label" and "slot-choice" in classes:
            self._in = "label"
            self.groups[-1]["times"].append({"value": None, "visible": "", "name": ""})
        elif tag == "input" and self._in == "label":
            self.groups[-1]["times"][-1]["value"] = attrs["value"]
        elif tag == "a" and "day-link" in classes:
            self._in = "link"
            self.day_links.append(
                {"href": attrs["href"], "current": attrs.get("aria-current") == "true", "text": ""}
            )
        if tag in VOID_ELEMENTS:
            self._depth -= 1  # no end tag

    def handle_endtag(self, tag):
        if self._hidden_depth == self._depth:
            self._hidden_depth = 0
        self._depth -= 1
        if tag in ("legend", "label", "a"):
            self._in = None

    def handle_data(self, data):
        if self._in == "legend":
            self.groups[-1]["legend"] += data
        elif self._in == "label":
            time = self.groups[-1]["times"][-1]
            time["name"] += data
            if not self._hidden_depth:
                time["visible"] += data
        elif self._in == "link":
            self.day_links[-1]["text"] += data


def picker(response) -> Picker:
    parsed = Picker()
    parsed.feed(response.content.decode())
    for group in parsed.groups:
        group["legend"] = " ".join(group["legend"].split())
        for time in group["times"]:
            time["visible"] = " ".join(time["visible"].split())
            time["name"] = " ".join(time["name"].split())
    for link in parsed.day_links:
        link["text"] = " ".join(link["text"].split())
    return parsed


def clock(instant: datetime, zone) -> str:
    return f"{instant.astimezone(zone):%-I:%M %p}"


def day_title(day) -> str:
    return f"{day:%A, %B} {day.day}"


def get_times(client, **params):
    return client.get("/book/times/", {"state": "CA", "tz": "America/Los_Angeles", **params})


def test_each_time_shows_its_clock_time_and_names_both_zones_to_a_screen_reader(client):
    first = free_slots("America/Los_Angeles")[0].start

    page = picker(get_times(client))

    shown = page.groups[0]["times"][0]
    assert shown["value"] == first.isoformat()
    assert shown["visible"] == clock(first, PACIFIC)
    assert (
        shown["name"]
        == f"{clock(first, PACIFIC)} Pacific Time, {clock(first, EASTERN)} Eastern Time at the clinic"
    )


def test_the_clinics_time_is_said_once_for_the_day_not_on_every_time(client):
    response = get_times(client)

    text = visible_text(response.content.decode())
    days = picker(response).groups
    assert text.count("At the clinic (Eastern Time) it is 3 hours later.") == len(days)
    assert all("Eastern" not in time["visible"] for day in days for time in day["times"])


def test_days_are_a_row_of_choices_and_only_the_chosen_days_times_are_shown(client):
    slots = free_slots("America/Los_Angeles", days=8)
    page = picker(get_times(client))

    dates = sorted({slot.start.astimezone(PACIFIC).date() for slot in page_slots(page, slots)})
    assert len(page.day_links) == len(page.groups) == len(dates) >= 3
    assert [link["current"] for link in page.day_links] == [True] + [False] * (len(dates) - 1)
    assert page.day_links[0]["text"] == f"{dates[0]:%a %b} {dates[0].day}"
    # One group per day, named by its legend; only the first day's is shown.
    assert [group["legend"] for group in page.groups] == [day_title(day) for day in dates]
    assert [group["hidden"] for group in page.groups] == [False] + [True] * (len(dates) - 1)
    # Hidden days are disabled too: the browser neither asks about them nor sends their times.
    assert [group["disabled"] for group in page.groups] == [False] + [True] * (len(dates) - 1)


def page_slots(page, slots):
    values = {time["value"] for group in page.groups for time in group["times"]}
    return [slot for slot in slots if slot.start.isoformat() in values]


def test_a_day_link_reloads_the_page_with_that_days_times_shown(client):
    """Without JavaScript the day choice is a link."""
    page = picker(get_times(client))
    third = page.day_links[2]

    chosen = picker(client.get(third["href"]))

    assert [link["current"] for link in chosen.day_links][:3] == [False, False, True]
    assert [group["legend"] for group in chosen.groups] == [group["legend"] for group in page.groups]
    assert [group["hidden"] for group in chosen.groups][:3] == [True, True, False]
    assert [group["disabled"] for group in chosen.groups][:3] == [True, True, False]


@pytest.mark.parametrize("day", ["x", "2026-02-31", "1999-01-01", "2999-01-01", "20261201'"])
@pytest.mark.usefixtures("one_slot_cache_window")
def test_a_hand_made_day_shows_the_first_day_from_the_same_cached_page(
    client, day, django_assert_max_num_queries
):
    """`day=` is part of the cached page's name: a value that is not one of the week's days must not
    make an entry of its own (nor fail)."""
    plain = get_times(client)

    with django_assert_max_num_queries(0):
        tampered = get_times(client, day=day)

    assert tampered.status_code == 200
    assert tampered.content == plain.content


def test_a_state_with_one_zone_shows_it_as_text_with_no_zone_choice(client):
    response = get_times(client)

    html = response.content.decode()
    assert "Times are shown in Pacific Time." in visible_text(html)
    assert 'type="radio" name="tz"' not in html
    assert "Show times in" not in html
    assert "Update times" not in html


def test_texas_offers_both_of_its_zones(client):
    response = client.get("/book/times/", {"state": "TX", "tz": "America/Denver"})

    html = response.content.decode()
    assert '<input type="radio" name="tz" value="America/Chicago">' in html
    assert '<input type="radio" name="tz" value="America/Denver" checked>' in html
    text = visible_text(html)
    assert "Show times in Central Time (most of Texas) Mountain Time (El Paso and Hudspeth counties)" in text
    assert "Update times" in text


def test_the_week_starts_at_the_first_day_with_times_and_says_why_today_is_not_offered(client):
    tomorrow = datetime.now(PACIFIC) + timedelta(hours=24)
    end = tomorrow + timedelta(days=6)

    text = visible_text(get_times(client).content.decode())

    assert f"Free times from {day_title(tomorrow)} to {day_title(end)}" in text
    assert "Today is not offered: calls are booked at least 24 hours ahead." in text
    assert "Earlier days" not in text


def test_a_later_week_does_not_repeat_why_today_is_not_offered(client):
    later = (datetime.now(PACIFIC) + timedelta(days=8)).date()

    text = visible_text(get_times(client, start=later.isoformat()).content.decode())

    assert "Today is not offered" not in text


def test_without_a_minimum_notice_the_week_starts_today_and_says_nothing_about_it(client):
    rules = BookingRules.load()
    rules.minimum_notice_hours = 0
    rules.save()
    today = datetime.now(PACIFIC)

    text = visible_text(get_times(client).content.decode())

    assert f"Free times from {day_title(today)} to " in text
    assert "Today is not offered" not in text


def test_a_later_week_links_back_no_earlier_than_the_first_day_with_times(client):
    tomorrow = (datetime.now(PACIFIC) + timedelta(hours=24)).date()
    later = tomorrow + timedelta(days=3)

    response = get_times(client, start=later.isoformat())

    assert f"start={tomorrow.isoformat()}" in response.content.decode()
    assert "Earlier days" in visible_text(response.content.decode())


def test_the_state_choice_is_a_list_of_large_radio_buttons(client):
    html = client.get("/book/").content.decode()

    for value, name in (("NY", "New York"), ("TX", "Texas"), ("CA", "California")):
        assert f'value="{value}"' in html
        assert f'<span class="choice-text">{name}</span>' in html
    assert html.count('class="choice state-choice"') == 4
