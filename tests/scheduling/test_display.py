"""How times read to a patient, in English and in Spanish (scheduling.display, one home)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from scheduling import display

TUESDAY_6AM_PACIFIC = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
EVENING = TUESDAY_6AM_PACIFIC.replace(hour=20)
PACIFIC, CENTRAL, EASTERN = (
    ZoneInfo(key) for key in ("America/Los_Angeles", "America/Chicago", "America/New_York")
)
DEC_1 = date(2026, 12, 1)


def day_button(day: date) -> tuple[str, str]:
    return display.short_weekday(day), display.short_date(day)


def test_english_labels_read_as_before():
    with translation.override("en"):
        when = display.format_when
        assert when(TUESDAY_6AM_PACIFIC, PACIFIC, year=False) == "Tuesday, December 1, 6:00 AM Pacific Time"
        assert when(TUESDAY_6AM_PACIFIC, CENTRAL) == "Tuesday, December 1, 2026, 8:00 AM Central Time"
        assert display.clock(EVENING, EASTERN) == "3:00 PM"
        assert day_button(DEC_1) == ("Tue", "Dec 1")


def test_spanish_labels_read_as_us_spanish_readers_expect(spanish_catalog):
    with translation.override("es"):
        assert (
            display.format_when(TUESDAY_6AM_PACIFIC, PACIFIC, year=False)
            == "martes, 1 de diciembre, 6:00 a. m., hora del Pacífico"
        )
        assert (
            display.format_when(TUESDAY_6AM_PACIFIC, CENTRAL)
            == "martes, 1 de diciembre de 2026, 8:00 a. m., hora del Centro"
        )
        assert display.clock(EVENING, EASTERN) == "3:00 p. m."
        assert day_button(DEC_1) == ("mar", "1 dic")
        assert display.zone_name("America/Denver") == "hora de la Montaña"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Tuesday, December 1, 2026 at 6:00 AM"), ("es", "martes, 1 de diciembre de 2026 at 6:00 a. m.")],
)
def test_template_filters_use_the_same_labels(spanish_catalog, language, expected):
    template = Template("{% load scheduling_display %}{{ when|full_date:tz }} at {{ when|clock:tz }}")
    with translation.override(language):
        context = Context({"when": TUESDAY_6AM_PACIFIC, "tz": "America/Los_Angeles"})
        assert template.render(context) == expected
