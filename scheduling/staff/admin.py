"""Admin registration of appointments: the list, the change page, actions and the extra pages.

Staff never change an appointment's time or status through the form: those go through the
same services as the public flow (actions and the buttons on the change page), so every rule
(no double-booking, notice, the outbox) holds for staff too. Every view of an appointment,
change, export and action lands in the audit trail (clinic.audit), with field names only.
"""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic.audit import AuditedAdminMixin
from clinic.models import AuditEvent
from scheduling.models import Appointment, Notification
from scheduling.staff import feed
from scheduling.staff.agenda import AgendaPage
from scheduling.staff.booking import BookPage, CancelPage, ReschedulePage, StatusPage, set_status_many
from scheduling.staff.export import ExportPage
from scheduling.staff.forms import AppointmentForm
from scheduling.staff.pages import clinic_time, record_view
from scheduling.staff.reports import MonthlyReportPage
from scheduling.zones import zone_label


class UpcomingPastFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming"), ("past", "Past")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(start__gte=now)
        if self.value() == "past":
            return queryset.filter(start__lt=now)
        return queryset


class NotificationInline(admin.TabularInline):
    """The messages about this appointment, as the outbox holds them (read-only)."""

    model = Notification
    fields = ["kind", "appointment_version", "recipient", "status", "attempts", "created_at", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = "message"
    verbose_name_plural = "messages (outbox)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = AppointmentForm
    list_display = [
        "start_in_clinic_zone",
        "full_name",
        "patient_zone",
        "state",
        "contact_method",
        "status",
        "source",
    ]
    list_display_links = ["start_in_clinic_zone", "full_name"]
    list_filter = ["status", "state", UpcomingPastFilter, "contact_method", "source"]
    date_hierarchy = "start"
    search_fields = ["full_name", "email", "phone"]
    # Newest first, as admin lists usually are; the agenda is the view of today and this week.
    ordering = ["-start"]
    show_full_result_count = False
    actions = ["mark_completed", "mark_no_show"]
    inlines = [NotificationInline]
    readonly_fields = [
        "start_in_clinic_zone",
        "start_in_patient_zone",
        "status",
        "source",
        "state",
        "time_zone",
        "language",
        "manage_link",
        "call_link",
        "version",
        "created_at",
        "updated_at",
        "purged_at",
        "history",
    ]
    fieldsets = [
        ("When", {"fields": ["start_in_clinic_zone", "start_in_patient_zone", "status", "source"]}),
        (
            "Patient",
            {
                "fields": [
                    "full_name",
                    "email",
                    "phone",
                    "call_link",
                    "state",
                    "time_zone",
                    "contact_method",
                    "language",
                    "note",
                ]
            },
        ),
        ("Record", {"fields": ["manage_link", "version", "created_at", "updated_at", "purged_at"]}),
        ("History", {"fields": ["history"]}),
    ]

    # --- columns and read-only fields ---------------------------------------------------

    @admin.display(description="Start (clinic time)", ordering="start")
    def start_in_clinic_zone(self, obj):
        return clinic_time(obj.start)

    @admin.display(description="Patient's zone", ordering="time_zone")
    def patient_zone(self, obj):
        return zone_label(obj.time_zone, obj.state)

    @admin.display(description="Start (patient's time)")
    def start_in_patient_zone(self, obj):
        local = obj.start.astimezone(obj.patient_zone)
        return f"{local:%a %d %b %Y, %H:%M %Z} ({zone_label(obj.time_zone, obj.state)})"

    @admin.display(description="Call the patient")
    def call_link(self, obj):
        if not obj.phone:
            return "—"
        return format_html('<a href="tel:{}">{}</a>', obj.phone, obj.phone)

    @admin.display(description="Patient's manage link")
    def manage_link(self, obj):
        # The state only: the token itself is never stored, and its hash is of no use to staff.
        if not obj.manage_token_hash:
            return "No link (none issued, or removed by the retention job)"
        if obj.start <= timezone.now():
            return "Expired (the link stops working when the call starts)"
        if not obj.is_active:
            return "Active, but the appointment can no longer be changed"
        return "Active: the patient can cancel or move this appointment"

    @admin.display(description="Status changes and actions")
    def history(self, obj):
        """Staff actions from the audit trail, oldest first, after the booking itself. What the
        patient did through their link shows in the messages below (cancellation, new time)."""
        events = (
            AuditEvent.objects.filter(object_type="scheduling.appointment", object_id=str(obj.pk))
            .exclude(action=AuditEvent.Action.VIEW)
            .order_by("created_at", "pk")[:100]
        )
        rows = [(clinic_time(obj.created_at), obj.get_source_display(), "", "")]
        rows += [
            (
                clinic_time(e.created_at),
                e.detail or e.get_action_display(),
                f"by {e.username or 'a deleted user'}",
                ", ".join(e.fields),
            )
            for e in events
        ]
        return format_html(
            '<ol class="scheduling-history">{}</ol>',
            format_html_join("", '<li>{}: {} {} <span class="quiet">{}</span></li>', rows),
        )

    # --- permissions ----------------------------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        # Appointments are cancelled, never deleted: the retention job removes personal data.
        return False

    # --- search: a phone typed the way people say it --------------------------------------

    def get_search_results(self, request, queryset, search_term):
        filtered = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = "".join(ch for ch in search_term if ch.isdigit())
        if len(digits) >= 4 and digits != search_term.strip():
            queryset |= filtered.filter(phone__contains=digits)
        return queryset, may_have_duplicates

    # --- audit of views and changes -------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # "Add another" would lead to the booking form, not to a blank record: leave it out.
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_view(request, "scheduling.appointment", object_id=object_id)
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Statuses follow the clock: how the call went can be said once it has started.
        context["call_started"] = obj is not None and obj.start <= timezone.now()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def add_view(self, request, form_url="", extra_context=None):
        # Staff book through the same service as patients: the booking form, not the model form.
        return redirect("admin:scheduling_appointment_book")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "agenda_url": reverse("admin:scheduling_appointment_agenda"),
        }
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # Which filters were on (their names: a search term may be a patient's name).
            record_view(
                request, "scheduling.appointment", detail="appointment list", fields=request.GET.keys()
            )
        return response

    # --- actions (through the services) ---------------------------------------------------

    @admin.action(description="Mark selected as completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        set_status_many(request, queryset, Appointment.Status.COMPLETED)

    @admin.action(description="Mark selected as no-show", permissions=["change"])
    def mark_no_show(self, request, queryset):
        set_status_many(request, queryset, Appointment.Status.NO_SHOW)

    # --- extra pages ------------------------------------------------------------------------

    def get_urls(self):
        def page(view_class):
            return self.admin_site.admin_view(view_class.as_view(model_admin=self))

        custom = [
            path("agenda/", page(AgendaPage), name="scheduling_appointment_agenda"),
            path("book/", page(BookPage), name="scheduling_appointment_book"),
            path("export/", page(ExportPage), name="scheduling_appointment_export"),
            path("report/", page(MonthlyReportPage), name="scheduling_appointment_report"),
            path("calendar-feed/", page(feed.FeedTokenPage), name="scheduling_appointment_feed_token"),
            # Not behind admin login: calendar apps cannot log in. The secret token is the key.
            path("feed/<str:token>.ics", feed.staff_feed, name="scheduling_appointment_feed"),
            path("<int:pk>/cancel/", page(CancelPage), name="scheduling_appointment_cancel"),
            path("<int:pk>/reschedule/", page(ReschedulePage), name="scheduling_appointment_reschedule"),
            path("<int:pk>/status/", page(StatusPage), name="scheduling_appointment_status"),
        ]
        return custom + super().get_urls()
