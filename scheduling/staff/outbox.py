"""Admin registration of the outbox: read-only, each message viewed is audited, and a patient's
private manage link is blanked wherever staff could read it (it works like a key)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from clinic.logging import MANAGE_TOKEN
from scheduling.models import Notification
from scheduling.staff.pages import record_view

LINK_HIDDEN = r"\1[the patient's private link, hidden from staff]"


def without_manage_links(text: str) -> str:
    return MANAGE_TOKEN.sub(LINK_HIDDEN, text)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox, read-only. Subjects and staff alerts carry no patient names by design."""

    list_display = ["created_at", "appointment_link", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [
        "appointment_link",
        "kind",
        "appointment_version",
        "recipient",
        "status",
        "subject",
        "message_text",
        "send_after",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    fields = readonly_fields

    @admin.display(description="Appointment", ordering="appointment_id")
    def appointment_link(self, obj):
        url = reverse("admin:scheduling_appointment_change", args=[obj.appointment_id])
        return format_html('<a href="{}">Meet-and-greet #{}</a>', url, obj.appointment_id)

    @admin.display(description="Message (text)")
    def message_text(self, obj):
        return without_manage_links(obj.body_text)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_view(request, "scheduling.notification", object_id=object_id, detail="outbox message")
        return response
