"""The shape of input on the patient's manage page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.public.forms import (
    CONTACT_METHOD_CHOICES,
    MSG_CHOOSE_CONTACT_METHOD,
    MSG_PHONE,
    SlotChoiceField,
    clean_us_phone,
)

MSG_CHOOSE_TIME = _("Please choose a new time from the list.")


class MoveForm(forms.Form):
    start = SlotChoiceField(error_messages={"required": MSG_CHOOSE_TIME, "invalid": MSG_CHOOSE_TIME})


class DaysForm(forms.Form):
    """Which days of free times the page shows (?start=YYYY-MM-DD, the patient's date)."""

    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class ContactForm(forms.Form):
    """The patient corrects the number the doctor will call, or switches between phone and video."""

    # Empty keeps the number given: the page shows only its last digits, never the whole number.
    phone = forms.CharField(
        label=_("New phone number (optional)"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
        help_text=_("Only to correct it. A US number, for example (212) 555-0123."),
        error_messages={"max_length": MSG_PHONE},
    )
    contact_method = forms.ChoiceField(
        label=_("How would you like to talk?"),
        choices=CONTACT_METHOD_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": MSG_CHOOSE_CONTACT_METHOD, "invalid_choice": MSG_CHOOSE_CONTACT_METHOD},
    )

    def clean_phone(self):
        raw = self.cleaned_data["phone"]
        return clean_us_phone(raw) if raw else ""
