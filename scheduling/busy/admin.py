"""Admin for busy calendars: add one by name and secret address, pause it, see how it syncs.

The address is a secret (anyone who has it can read the doctor's calendar): once saved it is
shown masked and never sent back to the browser; typing a new one replaces it. The audit trail
records field names only, as everywhere. "Sync now" runs the same service as the cron job.
"""

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from clinic import audit
from clinic.audit import AuditedAdminMixin
from clinic.models import AuditEvent
from scheduling.busy.fetch import FetchError, check_address
from scheduling.busy.sync import busy_calendar_sync
from scheduling.models import BusyCalendar, clinic_zone
from scheduling.selectors import invalidate_slots_cache

ADDRESS_HELP = (
    "The calendar's private ICS address: Google's “Secret address in iCal format”, Outlook's "
    "published ICS link, Apple's public calendar link, or any https:// or webcal:// address."
)
MSG_ADDRESS_REQUIRED = "Paste the secret address of the calendar."


def masked_address(url: str) -> str:
    """What admin shows of a saved address: the server only (the rest is the secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/•••••••• (hidden)" if url else "—"


def _clinic_time(instant) -> str:
    return f"{instant.astimezone(clinic_zone()):%a %d %b %Y, %H:%M %Z}" if instant else "never"


class BusyCalendarForm(forms.ModelForm):
    address = forms.CharField(
        label="Secret address",
        max_length=2000,
        required=False,
        strip=True,
        help_text=ADDRESS_HELP,
        widget=forms.TextInput(attrs={"size": 80, "autocomplete": "off", "spellcheck": "false"}),
    )

    class Meta:
        model = BusyCalendar
        fields = ["name", "address", "paused"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["address"].help_text = "Leave empty to keep the saved address. " + ADDRESS_HELP

    def clean_address(self):
        address = self.cleaned_data["address"]
        if not address:
            if not self.instance.pk:
                raise forms.ValidationError(MSG_ADDRESS_REQUIRED)
            return ""
        try:
            check_address(address)
        except FetchError as error:
            raise forms.ValidationError(f"This address cannot be used: {error.message}.") from None
        return address

    def save(self, commit=True):
        address = self.cleaned_data.get("address")
        if address:
            # A new address is a new calendar to the server: forget what the old one said.
            self.instance.url = address
            self.instance.etag = self.instance.last_modified = ""
            self.instance.expanded_until = None
        return super().save(commit)


@admin.register(BusyCalendar)
class BusyCalendarAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = BusyCalendarForm
    list_display = ["name", "paused", "sync_state", "last_success", "busy_count"]
    list_filter = ["paused"]
    actions = ["sync_now"]
    readonly_fields = ["saved_address", "sync_state", "last_success", "last_attempt", "busy_count"]

    def get_fieldsets(self, request, obj=None):
        calendar = ["name", "saved_address", "address", "paused"] if obj else ["name", "address", "paused"]
        fieldsets = [(None, {"fields": calendar})]
        if obj:
            fieldsets.append(
                ("Sync", {"fields": ["sync_state", "last_success", "last_attempt", "busy_count"]})
            )
        return fieldsets

    @admin.display(description="Saved address")
    def saved_address(self, obj):
        return masked_address(obj.url)

    @admin.display(description="State")
    def sync_state(self, obj):
        if obj.paused:
            return "Paused: blocks nothing"
        if obj.last_error:
            return f"Failing: {obj.last_error}. Its last good busy times still block."
        if obj.last_success_at is None:
            return "Not synced yet"
        return "OK"

    @admin.display(description="Last successful sync", ordering="last_success_at")
    def last_success(self, obj):
        return _clinic_time(obj.last_success_at)

    @admin.display(description="Last attempt")
    def last_attempt(self, obj):
        return _clinic_time(obj.last_attempt_at)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Pausing or resuming changes which busy times block.
        transaction.on_commit(invalidate_slots_cache)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(invalidate_slots_cache)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(invalidate_slots_cache)

    @admin.action(description="Sync now", permissions=["change"])
    def sync_now(self, request, queryset):
        calendars = list(queryset)
        for calendar in calendars:
            result = busy_calendar_sync(calendar=calendar)
            self.message_user(request, str(result), messages.SUCCESS if result.ok else messages.WARNING)
        audit.record_many(request, AuditEvent.Action.ACTION, calendars, detail="Synced now")
