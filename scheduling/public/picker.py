"""The time picker, as the booking steps and a patient's manage pages show it: the patient's zone
(and the clinic's beside it when different), and the free times grouped by day."""

import zoneinfo
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from scheduling.slots import group_by_day
from scheduling.zones import zone_label


def zone_context(tz: str, state: str | None = None) -> dict:
    """How times are labelled: the patient's zone, and the clinic's beside it when different."""
    return {
        "tz": tz,
        "tz_label": zone_label(tz, state),
        "clinic_tz": settings.CLINIC_TIME_ZONE,
        "clinic_tz_label": zone_label(settings.CLINIC_TIME_ZONE),
        "show_clinic_time": tz != settings.CLINIC_TIME_ZONE,
    }


@dataclass(frozen=True)
class PickerDay:
    """One day of the slot picker: its date in the patient's zone, its free times, and how many hours
    the clinic's clock is ahead of the patient's that day (said once for the day, not on each time)."""

    date: date
    slots: list
    clinic_hours_ahead: int

    @property
    def clinic_hours_apart(self) -> int:
        return abs(self.clinic_hours_ahead)


def slot_picker_context(*, slots, tz: str, state: str | None = None) -> dict:
    """The context of templates/scheduling/includes/slot_picker.html."""
    zone, clinic = zoneinfo.ZoneInfo(tz), zoneinfo.ZoneInfo(settings.CLINIC_TIME_ZONE)
    days = []
    for day, day_slots in group_by_day(slots, zone):
        first = day_slots[0].start
        ahead = first.astimezone(clinic).utcoffset() - first.astimezone(zone).utcoffset()
        days.append(PickerDay(day, day_slots, int(ahead.total_seconds() // 3600)))
    return {"days": days, **zone_context(tz, state)}
