from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

QUERY_MAX_LENGTH = 200
QUERY_TOO_LONG = format_lazy(
    _("Please search with fewer words (at most {max_length} characters)."), max_length=QUERY_MAX_LENGTH
)


class ArticleSearchForm(forms.Form):
    # CharField already refuses NUL characters with a clear message (ProhibitNullCharactersValidator).
    q = forms.CharField(
        label=_("Search articles"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={"max_length": QUERY_TOO_LONG},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "class": "form-control"}),
    )
