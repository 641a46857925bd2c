"""How times read to a patient, in English and in Spanish (scheduling.display, one home)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from scheduling import display

TUESDAY_6AM_PACIFIC = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
PACIFIC, CENTRAL = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/Chicago")


def test_english_labels_read_as_before():
    with translation.override("en"):
        assert display.format_when(TUESDAY_6AM_PACIFIC, PACIFIC, year=False) == "Tuesday, December 1, 6:00 AM Pacific Time"
        assert display.format_when(TUESDAY_6AM_PACIFIC, CENTRAL) == "Tuesday, December 1, 2026, 8:00 AM Central Time"
        assert display.clock(TUESDAY_6AM_PACIFIC.replace(hour=20), ZoneInfo("America/New_York")) == "3:00 PM"
        assert (display.short_weekday(date(2026, 12, 1)), display.short_date(date(2026, 12, 1))) == ("Tue", "Dec 1")


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
        assert display.clock(TUESDAY_6AM_PACIFIC.replace(hour=20), ZoneInfo("America/New_York")) == "3:00 p. m."
        assert (display.short_weekday(date(2026, 12, 1)), display.short_date(date(2026, 12, 1))) == ("mar", "1 dic")
        assert display.zone_name("America/Denver") == "hora de la Montaña"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Tuesday, December 1, 2026 at 6:00 AM"), ("es", "martes, 1 de diciembre de 2026 at 6:00 a. m.")],
)
def test_template_filters_use_the_same_labels(spanish_catalog, language, expected):
    template = Template("{% load scheduling_display %}{{ when|full_date:tz }} at {{ when|clock:tz }}")
    with translation.override(language):
        assert template.render(Context({"when": TUESDAY_6AM_PACIFIC, "tz": "America/Los_Angeles"})) == expected
