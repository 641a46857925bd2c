"""The CSV export of the appointment list as filtered: asked for first, then audited."""

import csv

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from clinic import audit
from clinic.models import AuditEvent
from scheduling.models import clinic_zone
from scheduling.staff.pages import StaffPage

MSG_BAD_FILTER = "Those list filters could not be read; nothing was exported."
CSV_COLUMNS = [
    "id",
    "start_clinic_time",
    "end_clinic_time",
    "patient_time_zone",
    "status",
    "full_name",
    "email",
    "phone",
    "state",
    "contact_method",
    "source",
    "note",
    "created_at",
]


def csv_cell(value) -> str:
    # Spreadsheets run a cell that starts like a formula; a leading apostrophe keeps it text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class ExportPage(StaffPage):
    """GET: how many rows the current filters select, and a button. POST: the CSV, audited."""

    permission = "view"
    template_name = "admin/scheduling/appointment/export_confirm.html"

    def selected(self):
        """The list's queryset under the request's filters, or None when they cannot be read."""
        try:
            changelist = self.model_admin.get_changelist_instance(self.request)
        except IncorrectLookupParameters:
            messages.error(self.request, MSG_BAD_FILTER)
            return None
        return changelist.get_queryset(self.request)

    def get(self, request):
        queryset = self.selected()
        if queryset is None:
            return redirect("admin:scheduling_appointment_changelist")
        filters = [(key, value) for key, value in request.GET.items() if key not in ("p", "o")]
        return self.render(
            "Export appointments as CSV",
            count=queryset.count(),
            filters=filters,
            columns=CSV_COLUMNS,
            changelist_url=reverse("admin:scheduling_appointment_changelist") + "?" + urlencode(request.GET),
        )

    def post(self, request):
        queryset = self.selected()
        if queryset is None:
            return redirect("admin:scheduling_appointment_changelist")
        zone = clinic_zone()
        rows = list(queryset)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="appointments-{timezone.now():%Y%m%d-%H%M}.csv"'
        )
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow(CSV_COLUMNS)
        for a in rows:
            # The phone is E.164 ("+1…"), checked on the way in; it stays as written.
            writer.writerow(
                [
                    a.pk,
                    a.start.astimezone(zone).isoformat(),
                    a.end.astimezone(zone).isoformat(),
                    a.time_zone,
                    a.status,
                    csv_cell(a.full_name),
                    csv_cell(a.email),
                    a.phone,
                    a.state,
                    a.contact_method,
                    a.source,
                    csv_cell(a.note),
                    a.created_at.astimezone(zone).isoformat(),
                ]
            )
        audit.record(
            request,
            AuditEvent.Action.EXPORT,
            object_type="scheduling.appointment",
            fields=CSV_COLUMNS,
            detail=f"CSV of {len(rows)} appointments",
        )
        return response
