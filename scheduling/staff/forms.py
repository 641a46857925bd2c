"""The staff forms: a caller's booking, a new time, a cancellation, contact corrections, time off.

They check the shape of input (the same field checks as the public booking form); the rules
that need the database stay in scheduling.services.
"""

from datetime import UTC, date, datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from scheduling import selectors
from scheduling.forms import BookingForm, SlotChoiceField
from scheduling.models import Appointment, BookingRules, TimeOff, clinic_zone
from scheduling.staff.pages import clinic_zone_name
from scheduling.zones import PATIENT_ZONES, STATE_CHOICES, STATE_ZONES

MSG_TIME_OFF_DAYS = "The last day cannot be before the first day."


def free_time_choices(*, now: datetime | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Free start times over the booking horizon, grouped by clinic date, as <select> choices."""
    now = now or timezone.now()
    zone = clinic_zone()
    today = now.astimezone(zone).date()
    days = BookingRules.load().horizon_days + 1
    groups: dict[date, list[tuple[str, str]]] = {}
    for slot in selectors.patient_slots(tz=settings.CLINIC_TIME_ZONE, start=today, days=days, now=now):
        local = slot.start.astimezone(zone)
        groups.setdefault(local.date(), []).append(
            (slot.start.astimezone(UTC).isoformat(), f"{local:%H:%M %Z}")
        )
    return [(f"{day:%A %d %B %Y}", options) for day, options in groups.items()]


class FreeTimeField(SlotChoiceField):
    """A <select> of free times (choices set per request). Any well-formed instant is passed on:
    the service decides whether it is still free, and says so with nearby times."""

    widget = forms.Select


class StartForm(forms.Form):
    start = FreeTimeField(
        label=f"New time ({clinic_zone_name()})", error_messages={"required": "Please choose a time."}
    )

    def set_choices(self, choices) -> None:
        self.fields["start"].widget.choices = [("", "Choose a free time"), *choices]


class StaffBookingForm(StartForm):
    """A caller's details, with the same checks as the public form (minus the bot defences)."""

    field_order = ["state", "time_zone", "start", "full_name", "email", "phone", "contact_method", "note"]

    state = forms.ChoiceField(choices=[("", "Choose the state"), *STATE_CHOICES], label="State of residence")
    time_zone = forms.ChoiceField(
        choices=[("", "Choose the zone"), *PATIENT_ZONES.items()],
        label="Patient's time zone",
        help_text="Emails to the patient show times in this zone.",
    )
    full_name = BookingForm.base_fields["full_name"]
    email = BookingForm.base_fields["email"]
    phone = BookingForm.base_fields["phone"]
    contact_method = BookingForm.base_fields["contact_method"]
    note = BookingForm.base_fields["note"]
    confirm_residence = forms.BooleanField(
        label="The caller lives in this state and will be there during the call.",
        error_messages={"required": "Please confirm where the caller lives."},
    )

    clean_full_name = BookingForm.clean_full_name
    clean_phone = BookingForm.clean_phone
    clean_note = BookingForm.clean_note

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].label = f"Time ({clinic_zone_name()})"

    def clean(self):
        cleaned = super().clean()
        state, zone = cleaned.get("state"), cleaned.get("time_zone")
        if state and zone and zone not in STATE_ZONES[state]:
            self.add_error("time_zone", f"{PATIENT_ZONES[zone]} is not used in {dict(STATE_CHOICES)[state]}.")
        return cleaned


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
