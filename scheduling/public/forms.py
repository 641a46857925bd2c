"""The shape of booking input. Rules that need the database live in scheduling/services/."""

import re
import time as clock
from datetime import UTC, date, datetime

import phonenumbers
from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from clinic.practice import STATES_SERVED
from scheduling.models import Appointment
from scheduling.zones import PATIENT_ZONES, STATE_ZONES

OTHER_STATE = "other"

MSG_CHOOSE_STATE = _("Please choose the state you live in.")
MSG_ZONE = _("Please choose a time zone from the list.")
MSG_NAME = _("Please enter your name.")
MSG_NO_CONTROL_CHARACTERS = _("Please use letters, numbers and punctuation only.")
MSG_PHONE = _("Please enter a US phone number with area code, for example (212) 555-0123.")
MSG_PHONE_LETTERS = _(
    "Please enter your phone number with digits only, for example (212) 555-0123: "
    "letters (as in 212-555-CALL) are not accepted, so the doctor calls the number you mean."
)
MSG_TOO_FAST = _("That was quick! Please check your details and send the form again.")
MSG_FORM_EXPIRED = _(
    "This form was open too long or was changed. Please check your details and send it again."
)
MSG_CONFIRM_RESIDENCE = _(
    "Please confirm where you live: the doctor can only see people in New York, Texas or California."
)
MSG_CONFIRM_NOT_EMERGENCY = _("Please confirm you understand this call is not for emergencies.")
MSG_CHOOSE_CONTACT_METHOD = _("Please choose a phone call or a video call.")

# The states' names as a patient reads them ("Nueva York"); the codes and the English names
# (clinic.practice.STATES_SERVED, the model's choices, staff admin) stay as they are.
STATE_NAMES = {
    "NY": pgettext_lazy("US state", "New York"),
    "TX": pgettext_lazy("US state", "Texas"),
    "CA": pgettext_lazy("US state", "California"),
}
# How the doctor reaches the patient, as the patient's forms name it (the model's labels are staff's).
CONTACT_METHOD_CHOICES = [
    (Appointment.ContactMethod.PHONE, _("Phone call")),
    (Appointment.ContactMethod.VIDEO, _("Video call")),
]

# What a booking form hands to services.appointment_book (the public form and staff's alike).
BOOKING_FIELDS = ["start", "state", "time_zone", "full_name", "email", "phone", "contact_method", "note"]

FORM_TOKEN_SALT = "scheduling.booking-form"
FORM_TOKEN_MAX_AGE = 2 * 60 * 60

# Control characters (tabs and line breaks included) have no place in a name or phone number;
# in a name they are also how header injection in emails is attempted.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_BUT_LINE_BREAKS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class StateForm(forms.Form):
    """Step 1: where the patient lives. "Another state" leads to the referral page."""

    state = forms.ChoiceField(
        label=_("Which state do you live in?"),
        choices=[*STATE_NAMES.items(), (OTHER_STATE, _("Another state"))],
        widget=forms.RadioSelect,
        error_messages={"required": MSG_CHOOSE_STATE, "invalid_choice": MSG_CHOOSE_STATE},
        help_text=_("The doctor is licensed to see people who live in New York, Texas or California."),
    )
    # Filled in by JavaScript with the browser's zone, where it runs; only a hint.
    tz = forms.CharField(required=False, widget=forms.HiddenInput)


class SlotQueryForm(forms.Form):
    """The query of the times page: state, zone, and which days to show (patient's dates)."""

    state = forms.ChoiceField(choices=list(STATES_SERVED.items()))
    tz = forms.ChoiceField(choices=list(PATIENT_ZONES.items()), required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean(self):
        cleaned = super().clean()
        state, tz = cleaned.get("state"), cleaned.get("tz")
        if state and tz not in STATE_ZONES[state]:
            # A zone from the browser or a link that does not belong to the state: use the state's.
            cleaned["tz"] = STATE_ZONES[state][0]
        return cleaned

    @classmethod
    def plain(cls, query) -> tuple[str, str, date | None] | None:
        """(state, tz, start) as the form cleans them, when the query gives them the way the site's
        own links and forms do (a state served, a listed zone or none, a YYYY-MM-DD date or none);
        None for anything else, which the form then reads (and accepts or refuses). Building the
        form costs more than the cached page it leads to (as for slots.json: SlotsJsonForm.plain)."""
        state, tz, start = query.get("state", ""), query.get("tz", ""), query.get("start", "")
        if state not in STATES_SERVED or (tz and tz not in PATIENT_ZONES):
            return None
        day = None
        if start:
            if not PLAIN_DATE.fullmatch(start):
                return None
            try:
                day = date.fromisoformat(start)
            except ValueError:
                return None
        # As clean(): a zone that is not one of the state's (or none) becomes the state's.
        return state, tz if tz in STATE_ZONES[state] else STATE_ZONES[state][0], day


# The first days slots.json may be asked from: room to spare either side of any real request.
SLOTS_JSON_FIRST_START = date(2000, 1, 1)
SLOTS_JSON_LAST_START = date(2100, 1, 1)
PLAIN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class SlotsJsonForm(forms.Form):
    """Parameters of /book/slots.json."""

    tz = forms.ChoiceField(
        choices=list(PATIENT_ZONES.items()),
        error_messages={
            "required": "tz is required: one of " + ", ".join(PATIENT_ZONES),
            "invalid_choice": "tz must be one of " + ", ".join(PATIENT_ZONES),
        },
    )
    start = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "start is required (YYYY-MM-DD)", "invalid": "start must be YYYY-MM-DD"},
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=62,
        error_messages={
            "required": "days is required (1-62)",
            "invalid": "days must be a whole number from 1 to 62",
            "min_value": "days must be a whole number from 1 to 62",
            "max_value": "days must be a whole number from 1 to 62",
        },
    )

    def clean_start(self):
        start = self.cleaned_data["start"]
        if not SLOTS_JSON_FIRST_START <= start <= SLOTS_JSON_LAST_START:
            raise forms.ValidationError("start must be a date between 2000 and 2100")
        return start

    @classmethod
    def plain(cls, query) -> tuple[str, date, int] | None:
        """(tz, start, days) when the query gives them the plain way (as the page's script does) and
        the form would accept them as they are; None for anything else, which the form then reads
        (and refuses with its message). Building the form costs more than the cached answer it serves."""
        tz, start, days = query.get("tz", ""), query.get("start", ""), query.get("days", "")
        if (
            tz not in PATIENT_ZONES
            or not PLAIN_DATE.fullmatch(start)
            or not (days.isascii() and days.isdigit())
        ):
            return None
        days_field = cls.base_fields["days"]
        if not days_field.min_value <= int(days) <= days_field.max_value:
            return None
        try:
            day = date.fromisoformat(start)
        except ValueError:
            return None
        if not SLOTS_JSON_FIRST_START <= day <= SLOTS_JSON_LAST_START:
            return None
        return tz, day, int(days)


# The instants a booking can be at, with room to spare: anything else is refused like any time
# that is not offered. (Far-off ones would not even survive date arithmetic: year 9999 plus an
# offset or a day is past the last date Python knows.)
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)


def parse_instant(value: str) -> datetime | None:
    """An ISO 8601 instant with an offset, as UTC; None when it is not one, or is not between
    EARLIEST_INSTANT and LATEST_INSTANT."""
    try:
        instant = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if instant.tzinfo is None:
        return None
    try:
        instant = instant.astimezone(UTC)
    except OverflowError:
        return None
    return instant if EARLIEST_INSTANT <= instant < LATEST_INSTANT else None


class SlotChoiceField(forms.CharField):
    """A slot's start instant, sent as ISO 8601 with an offset."""

    default_error_messages = {"invalid": _("Please choose a time from the list.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        instant = parse_instant(value)
        if instant is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return instant


def clean_us_phone(raw: str) -> str:
    """A US phone number as E.164 ("+12125550123"), or a ValidationError with a clear message.

    Letters are refused, not converted from a keypad ("212-555-CALL"): a number the patient
    did not write in digits is one they may not recognise when the doctor calls it.
    """
    if CONTROL_CHARACTERS.search(raw):
        raise forms.ValidationError(MSG_PHONE)
    if any(character.isalpha() for character in raw):
        raise forms.ValidationError(MSG_PHONE_LETTERS)
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(MSG_PHONE) from None
    if number.country_code != 1 or phonenumbers.region_code_for_number(number) != "US":
        raise forms.ValidationError(MSG_PHONE)
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(MSG_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def new_form_token() -> str:
    return signing.dumps(clock.time(), salt=FORM_TOKEN_SALT)


class BookingForm(forms.Form):
    """Step 3: the details a first call needs, and the acknowledgements."""

    state = forms.ChoiceField(choices=list(STATES_SERVED.items()), widget=forms.HiddenInput)
    time_zone = forms.ChoiceField(choices=list(PATIENT_ZONES.items()), widget=forms.HiddenInput)
    start = SlotChoiceField(widget=forms.HiddenInput, error_messages={"required": _("Please choose a time.")})
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": MSG_NAME,
            "max_length": _("Please shorten your name to 100 characters."),
        },
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We send your confirmation here."),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter an email address like name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
        help_text=_("A US number, for example (212) 555-0123."),
        error_messages={"required": _("Please enter your phone number."), "max_length": MSG_PHONE},
    )
    contact_method = forms.ChoiceField(
        label=_("How would you like to talk?"),
        choices=CONTACT_METHOD_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": MSG_CHOOSE_CONTACT_METHOD, "invalid_choice": MSG_CHOOSE_CONTACT_METHOD},
    )
    note = forms.CharField(
        label=_("Anything we should know? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "No medical details needed: you can tell the doctor during the call. Up to 500 characters."
        ),
        error_messages={"max_length": _("Please shorten your note to 500 characters.")},
    )
    confirm_residence = forms.BooleanField(
        label=_("I live in this state and will be there during the call."),
        error_messages={"required": MSG_CONFIRM_RESIDENCE},
    )
    confirm_not_emergency = forms.BooleanField(
        label=_(
            "I understand this is not for emergencies. In a crisis I will call or text 988, or call 911."
        ),
        error_messages={"required": MSG_CONFIRM_NOT_EMERGENCY},
    )
    # A honeypot: hidden from people (and screen readers); bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"), max_length=200)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, state_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if state_name:
            self.fields["confirm_residence"].label = gettext(
                "I live in %(state)s and will be there during the call."
            ) % {"state": state_name}
        self.helper = FormHelper()
        self.helper.form_tag = False
        # "start" is left out: the page renders it, as a hidden input or as a choice of other times.
        self.helper.layout = Layout(
            "state",
            "time_zone",
            "form_token",
            Field("full_name"),
            Field("email"),
            Field("phone"),
            Field("contact_method"),
            Field("note"),
            Fieldset(gettext("Please confirm"), "confirm_residence", "confirm_not_emergency"),
            HTML(
                '<div class="honeypot" aria-hidden="true">'
                f'<label for="id_website">{gettext("Leave this field empty")}</label>'
                '<input type="text" name="website" id="id_website" tabindex="-1" autocomplete="off"'
                " value=\"{{ form.website.value|default_if_none:'' }}\"></div>"
            ),
            # A <button>, not crispy's <input type="submit">: its words wrap on a narrow phone (the
            # Spanish label is wider than a 390 px screen on one line).
            StrictButton(
                gettext("Book my meet-and-greet"),
                type="submit",
                name="submit",
                css_class="btn-primary btn-lg",
            ),
        )

    def clean_full_name(self):
        if CONTROL_CHARACTERS.search(self.cleaned_data["full_name"]):
            raise forms.ValidationError(MSG_NO_CONTROL_CHARACTERS)
        name = " ".join(self.cleaned_data["full_name"].split())
        # A name has at least one letter, in any script: zero-width spaces, direction marks,
        # digits or punctuation alone are not one (and show as nothing, or nothing useful, to staff).
        if not any(character.isalpha() for character in name):
            raise forms.ValidationError(MSG_NAME)
        return name

    def clean_phone(self):
        return clean_us_phone(self.cleaned_data["phone"])

    def clean_note(self):
        note = self.cleaned_data["note"].replace("\r\n", "\n").strip()
        return CONTROL_CHARACTERS_BUT_LINE_BREAKS.sub("", note)

    def clean_form_token(self):
        token = self.cleaned_data["form_token"]
        try:
            age = clock.time() - float(signing.loads(token, salt=FORM_TOKEN_SALT))
        except (signing.BadSignature, TypeError, ValueError):
            raise forms.ValidationError(MSG_FORM_EXPIRED) from None
        if age > FORM_TOKEN_MAX_AGE:
            raise forms.ValidationError(MSG_FORM_EXPIRED)
        if age < settings.BOOKING_FORM_MIN_SECONDS:
            raise forms.ValidationError(MSG_TOO_FAST)
        return token

    def clean(self):
        cleaned = super().clean()
        state, tz = cleaned.get("state"), cleaned.get("time_zone")
        if state and tz and tz not in STATE_ZONES[state]:
            self.add_error(None, MSG_ZONE)
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))
