"""StaffPage: the base of every custom admin page of the booking calendar.

A page is a class-based view reached through `model_admin.admin_site.admin_view` (so it asks
for an active staff login) that also checks the model permission it needs before any work,
and renders inside the admin's own chrome (site header, breadcrumbs, sidebar).
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from clinic import audit
from clinic.models import AuditEvent
from scheduling.models import Appointment, clinic_zone
from scheduling.zones import PATIENT_ZONES


def clinic_zone_name() -> str:
    return PATIENT_ZONES.get(settings.CLINIC_TIME_ZONE, settings.CLINIC_TIME_ZONE)


def clinic_time(instant: datetime | None) -> str:
    """An instant in the clinic's zone, zone named: "Mon 30 Nov 2026, 09:00 EST"."""
    if instant is None:
        return "—"
    return f"{instant.astimezone(clinic_zone()):%a %d %b %Y, %H:%M %Z}"


def change_url(appointment: Appointment) -> str:
    return reverse("admin:scheduling_appointment_change", args=[appointment.pk])


def record_view(request, object_type: str, *, object_id="", detail: str = "", fields=()) -> None:
    """Audit that staff looked at something: who, what, when (no patient details in `detail`)."""
    audit.record(
        request,
        AuditEvent.Action.VIEW,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        detail=detail,
    )


class StaffPage(View):
    """A permission-checked admin page. Subclasses set `permission` ("view", "add" or
    "change", checked on the model admin before the handler runs) and `template_name`.

    Built with `Page.as_view(model_admin=...)` in the ModelAdmin's get_urls.
    """

    model_admin = None
    permission = "view"
    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not getattr(self.model_admin, f"has_{self.permission}_permission")(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def opts(self):
        return self.model_admin.model._meta

    def appointment_for_change(self, pk) -> Appointment:
        """The appointment `pk`, or 404; PermissionDenied unless this user may change it."""
        appointment = get_object_or_404(Appointment, pk=pk)
        if not self.model_admin.has_change_permission(self.request, appointment):
            raise PermissionDenied
        return appointment

    def render(self, title: str, **extra) -> TemplateResponse:
        context = {
            **self.model_admin.admin_site.each_context(self.request),
            "opts": self.opts,
            "title": title,
            "clinic_zone_name": clinic_zone_name(),
            **extra,
        }
        return TemplateResponse(self.request, self.template_name, context)
