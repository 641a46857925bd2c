from django import forms

QUERY_MAX_LENGTH = 200
QUERY_TOO_LONG = f"Please search with fewer words (at most {QUERY_MAX_LENGTH} characters)."


class ArticleSearchForm(forms.Form):
    # CharField already refuses NUL characters with a clear message (ProhibitNullCharactersValidator).
    q = forms.CharField(
        label="Search articles",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={"max_length": QUERY_TOO_LONG},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "class": "form-control"}),
    )
