"""The states the practice serves and the time zones of the people who live there."""

from django.utils.translation import gettext_lazy as _

from clinic.practice import STATES_SERVED

STATE_CHOICES = list(STATES_SERVED.items())

# The zones a patient may see times in, with the name a person knows them by (in the reader's
# language: "Pacific Time", "hora del Pacífico").
PATIENT_ZONES = {
    "America/New_York": _("Eastern Time"),
    "America/Chicago": _("Central Time"),
    "America/Denver": _("Mountain Time"),
    "America/Los_Angeles": _("Pacific Time"),
}
PATIENT_ZONE_CHOICES = list(PATIENT_ZONES.items())

# Each state's zones, the usual one first. Texas: El Paso and Hudspeth counties keep Mountain Time.
STATE_ZONES = {
    "NY": ["America/New_York"],
    "TX": ["America/Chicago", "America/Denver"],
    "CA": ["America/Los_Angeles"],
}

ZONE_LABELS_IN_STATE = {
    ("TX", "America/Chicago"): _("Central Time (most of Texas)"),
    ("TX", "America/Denver"): _("Mountain Time (El Paso and Hudspeth counties)"),
}


def zone_label(zone: str, state: str | None = None) -> str:
    """How a zone is named to a patient: "Central Time", or more precisely within a state."""
    return str(ZONE_LABELS_IN_STATE.get((state, zone), PATIENT_ZONES.get(zone, zone)))


def zones_for_state(state: str) -> list[tuple[str, str]]:
    return [(zone, zone_label(zone, state)) for zone in STATE_ZONES.get(state, [])]
