from django import forms

CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


class CodeForm(forms.Form):
    """One code: from the authenticator app (6 digits) or a recovery code (letters and digits)."""

    otp_token = forms.CharField(
        label="Code",
        max_length=40,
        help_text=CODE_HELP,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class AppCodeForm(forms.Form):
    """The first code of an authenticator app being set up."""

    otp_token = forms.CharField(
        label="Code from the app",
        max_length=12,
        help_text="The 6-digit code the app shows for this account.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
