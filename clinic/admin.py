"""Admin for the audit trail (superusers read it; nobody edits it), staff calendar feeds and the
practice's contact details."""

from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from django.utils import timezone

from clinic.audit import AuditedAdminMixin
from clinic.models import AuditEvent, PracticeProfile, StaffFeedToken


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "username",
        "action",
        "record",
        "detail",
        "client_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["username", "object_id", "client_address"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    @admin.display(description="record", ordering="object_type")
    def record(self, event):
        # One column for type and id keeps the list within a laptop screen beside the filters.
        return f"{event.object_type} #{event.object_id}" if event.object_id else event.object_type

    # Superusers only, and only to read: a trail the people it records could rewrite proves nothing.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffFeedToken)
class StaffFeedTokenAdmin(admin.ModelAdmin):
    """Superusers see every feed and revoke them. Staff issue their own from the agenda page."""

    list_display = ["__str__", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    readonly_fields = ["user", "created_at", "last_used_at", "revoked_at"]
    fields = readonly_fields
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected calendar feeds")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} calendar feed(s).", messages.SUCCESS)


class SingleRowAdminMixin:
    """For a model kept as one row (practice details, booking rules): the list goes straight to it;
    it cannot be added twice or deleted."""

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not self.model.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = self.model.objects.first()
        if row is not None and self.has_view_or_change_permission(request, row):
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", row.pk)
        return super().changelist_view(request, extra_context)


@admin.register(PracticeProfile)
class PracticeProfileAdmin(SingleRowAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """The practice's contact details and video room: one row."""

    fieldsets = [
        (
            "How patients reach the practice",
            {
                "fields": ["phone", "email", "office_hours"],
                "description": "Shown on the Contact page, in the footer of every page and in every "
                "email to patients. Leave a detail empty to not show it.",
            },
        ),
        ("Video calls", {"fields": ["video_room_url"]}),
    ]
    # An address typed without its scheme is taken as https://, never as plain http://.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
