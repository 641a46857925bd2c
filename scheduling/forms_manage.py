"""The shape of input on the patient's manage page."""

from django import forms

from scheduling.forms import SlotChoiceField

MSG_CHOOSE_TIME = "Please choose a new time from the list."


class MoveForm(forms.Form):
    start = SlotChoiceField(error_messages={"required": MSG_CHOOSE_TIME, "invalid": MSG_CHOOSE_TIME})


class DaysForm(forms.Form):
    """Which days of free times the page shows (?start=YYYY-MM-DD, the patient's date)."""

    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
