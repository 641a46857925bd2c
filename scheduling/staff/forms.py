"""The staff forms: a caller's booking, a new time, a cancellation, contact corrections, time off.

They check the shape of input (the same field checks as the public booking form); the rules
that need the database stay in scheduling.services.
"""

import copy
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone, translation

from scheduling import selectors, services
from scheduling.models import Appointment, BookingRules, TimeOff, clinic_zone
from scheduling.public.forms import BookingForm, SlotChoiceField
from scheduling.staff.pages import clinic_zone_name
from scheduling.zones import PATIENT_ZONES, STATE_CHOICES, STATE_ZONES, zones_for_state

MSG_TIME_OFF_DAYS = "The last day cannot be before the first day."


def _staff_field(name: str, label: str, help_text: str, **errors) -> forms.Field:
    """A field of the public booking form (same checks), in words for staff."""
    field = copy.deepcopy(BookingForm.base_fields[name])
    field.label, field.help_text = label, help_text
    field.error_messages.update(errors)
    return field


def patient_zone_of(state: str | None, time_zone: str | None) -> str | None:
    """The caller's zone: the only one of a single-zone state, or the one chosen for Texas."""
    zones = STATE_ZONES.get(state or "", [])
    if len(zones) == 1:
        return zones[0]
    return time_zone if time_zone in zones else None


def time_label(instant: datetime, patient_zone: str | None) -> str:
    """ "11:00 AM Eastern Time · 8:00 AM Pacific Time": the clinic's zone, then the caller's."""
    zone = clinic_zone()

    def one(z, name):
        local = instant.astimezone(z)
        return f"{local:%I:%M %p}".lstrip("0") + f" {name}"

    label = one(zone, clinic_zone_name())
    if patient_zone and patient_zone != settings.CLINIC_TIME_ZONE:
        label += f" · {one(ZoneInfo(patient_zone), PATIENT_ZONES[patient_zone])}"
    return label


def free_times_of_day(
    day: date, *, patient_zone: str | None, now: datetime | None = None
) -> list[tuple[str, str]]:
    """The free start times of one clinic date under the staff rules (no notice, no cap), as
    (ISO instant, label with both zones) choices."""
    now = now or timezone.now()
    rules = services.staff_rules(BookingRules.load())
    slots = selectors.slots_on_clinic_day(day=day, now=now, rules=rules)
    return [(slot.start.astimezone(UTC).isoformat(), time_label(slot.start, patient_zone)) for slot in slots]


class WhenForm(forms.Form):
    """A time picked as a clinic date, then one of that day's free times or another time."""

    day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Please choose a date.",
            "invalid": "Please enter a date like 2026-12-01.",
        },
    )
    free_time = SlotChoiceField(
        label="Free times that day",
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid": "Please choose one of the free times."},
    )
    other_time = forms.TimeField(
        label=f"Or another time ({clinic_zone_name()})",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="For a time not listed: outside the usual hours, the same day, or further ahead.",
        error_messages={"invalid": "Please enter a time like 14:30."},
    )
    confirm_outside = forms.BooleanField(
        label="Yes, book this time although it is outside the usual hours.",
        required=False,
    )

    def set_free_times(self, choices) -> None:
        self.fields["free_time"].widget.choices = choices

    def clean(self):
        cleaned = super().clean()
        day, chosen, other = cleaned.get("day"), cleaned.get("free_time"), cleaned.get("other_time")
        if chosen is not None:
            cleaned["start"] = chosen
        elif day is not None and other is not None:
            cleaned["start"] = datetime.combine(day, other, tzinfo=clinic_zone()).astimezone(UTC)
        elif "free_time" not in self.errors and "other_time" not in self.errors and day is not None:
            self.add_error("free_time", MSG_CHOOSE_TIME)
        return cleaned


MSG_CHOOSE_TIME = "Please choose one of the free times, or enter another time."
MSG_TEXAS_ZONE = "Please choose the caller's zone: most of Texas is on Central Time."

MSG_LANGUAGE = "Please choose English or Spanish for the patient's emails."

TEXAS_ZONES = [("", "Not needed (New York or California)"), *zones_for_state("TX")]


class StaffBookingForm(WhenForm):
    """A caller's details, with the same checks as the public form (minus the bot defences)."""

    field_order = [
        "state",
        "time_zone",
        "day",
        "free_time",
        "other_time",
        "confirm_outside",
        "full_name",
        "email",
        "phone",
        "contact_method",
        "language",
        "note",
    ]

    state = forms.ChoiceField(
        choices=[("", "Choose the state"), *STATE_CHOICES],
        label="State the caller lives in",
        error_messages={"required": "Please choose the state the caller lives in."},
    )
    time_zone = forms.ChoiceField(
        choices=TEXAS_ZONES,
        required=False,
        label="Caller's time zone (Texas only)",
        help_text="New York and California have one zone each. Emails show times in the caller's zone.",
    )
    full_name = _staff_field(
        "full_name", "Patient's full name", "", required="Please enter the patient's name."
    )
    email = _staff_field(
        "email",
        "Patient's email",
        "The confirmation, with the patient's private link, goes here.",
        required="Please enter the patient's email address.",
    )
    phone = _staff_field(
        "phone",
        "Patient's phone",
        "A US number with area code.",
        required="Please enter the patient's phone.",
    )
    contact_method = _staff_field(
        "contact_method",
        "How the doctor reaches the patient",
        "",
        required="Please choose a phone call or a video call.",
    )
    language = forms.TypedChoiceField(
        # In staff's words ("Spanish"), as admin is in English.
        choices=[(code, translation.get_language_info(code)["name"]) for code, _ in settings.LANGUAGES],
        required=False,
        empty_value=settings.LANGUAGE_CODE,
        initial=settings.LANGUAGE_CODE,
        widget=forms.RadioSelect,
        label="Language for the patient's emails",
        help_text="The confirmation, reminder and any change are written to the patient in this language.",
        error_messages={"invalid_choice": MSG_LANGUAGE},
    )
    note = _staff_field("note", "Note (optional)", "What the caller wants to ask. Leave out medical details.")
    confirm_residence = forms.BooleanField(
        label="The caller lives in this state and will be there during the call.",
        error_messages={"required": "Please confirm where the caller lives."},
    )

    clean_full_name = BookingForm.clean_full_name
    clean_phone = BookingForm.clean_phone
    clean_note = BookingForm.clean_note

    @property
    def patient_zone(self) -> str | None:
        data = self.data if self.is_bound else self.initial
        return patient_zone_of(data.get("state"), data.get("time_zone"))

    def clean(self):
        cleaned = super().clean()
        state = cleaned.get("state")
        if state:
            zone = patient_zone_of(state, cleaned.get("time_zone"))
            if zone is None:
                self.add_error("time_zone", MSG_TEXAS_ZONE)
            cleaned["time_zone"] = zone
        return cleaned


class StartForm(WhenForm):
    """A new time for an appointment."""


class CancelForm(forms.Form):
    message = forms.CharField(
        label="Message to the patient (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        help_text="Added to the cancellation email. Leave out medical details.",
    )

    def clean_message(self):
        return " ".join(self.cleaned_data["message"].split(" ")).strip()


class AppointmentForm(forms.ModelForm):
    """What staff may correct by hand: the patient's contact details and note. Time and status
    change only through the actions, which call the booking services."""

    class Meta:
        model = Appointment
        fields = ["full_name", "email", "phone", "contact_method", "note"]

    # The same checks as the public booking form.
    clean_full_name = BookingForm.clean_full_name
    clean_phone = BookingForm.clean_phone
    clean_note = BookingForm.clean_note


class TimeOffForm(forms.ModelForm):
    class Meta:
        model = TimeOff
        fields = ["start_date", "start_time", "end_date", "end_time", "reason"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            # A field error here keeps the database constraint's technical message off the page.
            self.add_error("end_date", MSG_TIME_OFF_DAYS)
        return cleaned
