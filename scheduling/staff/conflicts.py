"""Availability changes never strand a patient.

Adding or editing time off, weekly hours or the booking rules in admin is first tried in a
transaction that is rolled back: when the change would leave confirmed future appointments
outside availability (by the agenda's one conflict rule), staff see those appointments (time in
the clinic's zone and how the patient is reached; no names) and nothing is saved until they
choose: keep them booked (the agenda marks them), or cancel them for the clinic with one
message, saved together with the change in one transaction (all or nothing).
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone

from clinic.audit import Actor, AuditedAdminMixin
from scheduling import agenda, selectors, services
from scheduling.models import Appointment, clinic_zone
from scheduling.staff.pages import clinic_time, clinic_zone_name
from scheduling.zones import zone_label

CHOICE = "_conflicts"
MESSAGE = "_conflicts_message"
SHOWN = "_conflicts_shown"
MSG_KEPT = (
    "{count} confirmed meet-and-greet{s} stay{verb} booked outside availability; "
    "the agenda marks {them} “outside availability”."
)
MSG_TITLE = "This change leaves {count} confirmed meet-and-greet{s} outside availability"
MSG_CANCELLED = "{count} meet-and-greet{s} cancelled for the clinic; each patient is told by email."


def upcoming_conflicts(now: datetime) -> tuple[dict[int, str], list[Appointment]]:
    """Confirmed future appointments outside availability ({pk: reason}), and all of them."""
    upcoming = list(
        Appointment.objects.active()
        .filter(start__gt=now)
        .only("pk", "start", "end", "status", "contact_method", "time_zone", "state")
        .order_by("start")
    )
    if not upcoming:
        return {}, []
    availability = selectors.load_availability(
        first_day=selectors.clinic_date(upcoming[0].start), last_day=selectors.clinic_date(upcoming[-1].start)
    )
    return agenda.conflicts(appointments=upcoming, availability=availability, zone=clinic_zone()), upcoming


def stranded_by(change: Callable[[], object], *, now: datetime) -> list[tuple[Appointment, str]]:
    """The confirmed future appointments that `change` (a write) would newly leave outside
    availability, with the reason. The change is made and rolled back: nothing is kept."""
    before, _ = upcoming_conflicts(now)
    with transaction.atomic():
        change()
        after, upcoming = upcoming_conflicts(now)
        transaction.set_rollback(True)
    return [(a, after[a.pk]) for a in upcoming if a.pk in after and a.pk not in before]


def _plural(count: int) -> dict:
    one = count == 1
    return {
        "count": count,
        "s": "" if one else "s",
        "verb": "s" if one else "",
        "them": "it" if one else "them",
    }


class AvailabilityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A ModelAdmin whose saves are checked for appointments they would strand (see module)."""

    conflict_template = "admin/scheduling/conflicts.html"

    def message_user(self, request, *args, **kwargs):
        # While a save may still be rolled back with its cancellations, the admin's "saved"
        # message waits; it is sent once both are committed.
        held = getattr(request, "_held_admin_messages", None)
        if held is not None:
            held.append((args, kwargs))
            return
        super().message_user(request, *args, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        def proceed():
            return super(AvailabilityAdmin, self).changeform_view(request, object_id, form_url, extra_context)

        if request.method != "POST":
            return proceed()
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        allowed = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        form = self.get_form(request, obj, change=obj is not None)(request.POST, request.FILES, instance=obj)
        if (object_id and obj is None) or not allowed or not form.is_valid():
            # Not found, not allowed or not valid: the admin's own answer.
            return proceed()
        return self._guarded(request, obj, change=form.save, proceed=proceed)

    def delete_view(self, request, object_id, extra_context=None):
        # Deleting weekly hours can strand a call too (time off only ever frees time).
        def proceed():
            return super(AvailabilityAdmin, self).delete_view(request, object_id, extra_context)

        obj = self.get_object(request, unquote(object_id))
        if request.method != "POST" or not request.POST.get("post") or obj is None:
            return proceed()
        if not self.has_delete_permission(request, obj):
            return proceed()
        rows = self.model.objects.filter(pk=obj.pk)
        return self._guarded(request, obj, change=rows.delete, proceed=proceed)

    def _guarded(self, request, obj, *, change: Callable[[], object], proceed: Callable[[], HttpResponse]):
        """Run the admin's own save or delete (`proceed`) unless `change` would strand confirmed
        calls and staff have not chosen yet; then show them, and act on the choice."""
        now = timezone.now()
        choice = request.POST.get(CHOICE)
        if choice == "cancel":
            return self._proceed_and_cancel(request, obj, change=change, proceed=proceed, now=now)
        stranded = stranded_by(change, now=now)
        if not stranded:
            return proceed()
        if choice == "keep":
            response = proceed()
            if isinstance(response, HttpResponseRedirect):
                messages.warning(request, MSG_KEPT.format(**_plural(len(stranded))))
            return response
        return self._confirm(request, obj, stranded)

    def _proceed_and_cancel(self, request, obj, *, change, proceed, now):
        """Save the change and cancel what it strands, in one transaction, or neither."""
        before, _ = upcoming_conflicts(now)
        message = request.POST.get(MESSAGE, "").strip()[:1000]
        request._held_admin_messages = held = []
        try:
            with transaction.atomic():
                response = proceed()
                if not isinstance(response, HttpResponseRedirect):
                    transaction.set_rollback(True)
                    return response
                after, upcoming = upcoming_conflicts(now)
                shown = set(request.POST.getlist(SHOWN))
                # Only what staff were shown and still stranded by this change is cancelled.
                targets = [a for a in upcoming if a.pk in after and a.pk not in before and str(a.pk) in shown]
                services.appointments_cancel_by_clinic(
                    appointments=targets, message=message, actor=Actor.from_request(request), now=now
                )
        except services.BookingError as error:
            # Nothing was saved: the admin's held "saved" message is dropped with the rest.
            messages.error(request, error.message)
            return self._confirm(request, obj, stranded_by(change, now=now))
        finally:
            del request._held_admin_messages
        for args, kwargs in held:
            self.message_user(request, *args, **kwargs)
        messages.success(request, MSG_CANCELLED.format(**_plural(len(targets))))
        return response

    def _confirm(self, request, obj, stranded):
        fields = [
            (key, value)
            for key in request.POST
            if key not in ("csrfmiddlewaretoken", CHOICE, MESSAGE, SHOWN)
            for value in request.POST.getlist(key)
        ]
        rows = [
            {
                "appointment": a,
                "when": clinic_time(a.start),
                "contact": a.get_contact_method_display(),
                "zone": zone_label(a.time_zone, a.state),
                "reason": reason,
            }
            for a, reason in stranded
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": MSG_TITLE.format(**_plural(len(rows))),
            "rows": rows,
            "fields": fields,
            "clinic_zone_name": clinic_zone_name(),
            "choice": CHOICE,
            "message_name": MESSAGE,
            "shown_name": SHOWN,
        }
        return TemplateResponse(request, self.conflict_template, context)
