"""Admin registrations of availability: weekly hours, time off and the booking rules.

Each save is checked for confirmed appointments it would strand (scheduling.staff.conflicts).
"""

from django.contrib import admin
from django.utils import timezone

from clinic.admin import SingleRowAdminMixin
from scheduling.models import BookingRules, TimeOff, WeeklyHours, clinic_zone
from scheduling.staff.conflicts import AvailabilityAdmin
from scheduling.staff.forms import TimeOffForm


@admin.register(WeeklyHours)
class WeeklyHoursAdmin(AvailabilityAdmin):
    list_display = ["weekday", "start_time", "end_time"]
    list_filter = ["weekday"]
    ordering = ["weekday", "start_time"]


class TimeOffWhenFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("current", "Now or later"), ("past", "Past")]

    def queryset(self, request, queryset):
        today = timezone.localdate(timezone=clinic_zone())
        if self.value() == "current":
            return queryset.filter(end_date__gte=today)
        if self.value() == "past":
            return queryset.filter(end_date__lt=today)
        return queryset


@admin.register(TimeOff)
class TimeOffAdmin(AvailabilityAdmin):
    form = TimeOffForm
    list_display = ["start_date", "start_time", "end_date", "end_time", "reason"]
    list_filter = [TimeOffWhenFilter]
    date_hierarchy = "start_date"
    ordering = ["-start_date"]


@admin.register(BookingRules)
class BookingRulesAdmin(SingleRowAdminMixin, AvailabilityAdmin):
    """One record: the list goes straight to it; it cannot be added twice or deleted."""

    fields = [
        "slot_minutes",
        "buffer_minutes",
        "minimum_notice_hours",
        "horizon_days",
        "daily_cap",
        "step_minutes",
    ]
