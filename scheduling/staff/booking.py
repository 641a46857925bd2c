"""Booking, moving, cancelling and marking a meet-and-greet on a caller's behalf.

Every change goes through scheduling.services (the same rules as the public flow); a refusal
shows its message and changes nothing.
"""

from datetime import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from clinic import audit
from clinic.audit import Actor
from clinic.models import AuditEvent
from scheduling import services
from scheduling.forms import BOOKING_FIELDS
from scheduling.models import Appointment
from scheduling.staff.forms import CancelForm, StaffBookingForm, StartForm, free_time_choices
from scheduling.staff.pages import StaffPage, change_url, clinic_time

MSG_BAD_STATUS = "Choose “completed”, “no-show” or “confirmed”."
MSG_SKIPPED_NOT_STARTED = (
    "{count} selected meet-and-greet{s} not marked: {their} start time has not passed yet "
    "(completed and no-show can be set only after the call's start)."
)


def refusal(error: services.BookingError) -> str:
    """The service's message, with the nearby free times it found (clinic time)."""
    nearby = getattr(error, "nearby", None) or []
    if not nearby:
        return error.message
    return f"{error.message} Nearby free times: {'; '.join(clinic_time(slot.start) for slot in nearby)}."


class BookPage(StaffPage):
    permission = "add"
    template_name = "admin/scheduling/appointment/book.html"

    def get(self, request):
        return self.show(StaffBookingForm())

    def post(self, request):
        form = StaffBookingForm(request.POST)
        if form.is_valid():
            try:
                result = services.appointment_book(
                    **{name: form.cleaned_data[name] for name in BOOKING_FIELDS},
                    source=Appointment.Source.STAFF,
                )
            except services.BookingError as error:
                messages.error(request, refusal(error))
            else:
                appointment = result.appointment
                audit.record(
                    request,
                    AuditEvent.Action.ADD,
                    obj=appointment,
                    fields=BOOKING_FIELDS,
                    detail="booked by staff",
                )
                messages.success(
                    request,
                    f"{appointment} booked for {clinic_time(appointment.start)}. "
                    "The confirmation email is queued.",
                )
                return redirect(change_url(appointment))
        return self.show(form)

    def show(self, form):
        form.set_choices(free_time_choices())
        return self.render("Book a meet-and-greet for a caller", form=form)


class ReschedulePage(StaffPage):
    permission = "change"
    template_name = "admin/scheduling/appointment/reschedule.html"

    def get(self, request, pk):
        return self.show(self.appointment_for_change(pk), StartForm())

    def post(self, request, pk):
        appointment = self.appointment_for_change(pk)
        form = StartForm(request.POST)
        if form.is_valid():
            try:
                result = services.appointment_move(
                    appointment=appointment, new_start=form.cleaned_data["start"]
                )
            except services.BookingError as error:
                messages.error(request, refusal(error))
            else:
                audit.record(
                    request,
                    AuditEvent.Action.ACTION,
                    obj=appointment,
                    fields=["start", "end"],
                    detail="rescheduled",
                )
                messages.success(
                    request,
                    f"Moved to {clinic_time(result.appointment.start)}. The patient is told by email.",
                )
                return redirect(change_url(appointment))
        return self.show(appointment, form)

    def show(self, appointment, form):
        form.set_choices(free_time_choices())
        return self.render(
            f"Reschedule {appointment}",
            form=form,
            original=appointment,
            current_time=clinic_time(appointment.start),
        )


class CancelPage(StaffPage):
    permission = "change"
    template_name = "admin/scheduling/appointment/cancel.html"

    def get(self, request, pk):
        return self.show(self.appointment_for_change(pk), CancelForm())

    def post(self, request, pk):
        appointment = self.appointment_for_change(pk)
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.show(appointment, form)
        try:
            services.appointment_cancel(
                appointment=appointment,
                by_clinic=True,
                message=form.cleaned_data["message"],
                actor=Actor.from_request(request),
            )
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{appointment} is cancelled. The patient is told by email.")
        return redirect(change_url(appointment))

    def show(self, appointment, form):
        return self.render(
            f"Cancel {appointment}", form=form, original=appointment, when=clinic_time(appointment.start)
        )


class StatusPage(StaffPage):
    """The change page's "How did it go?" buttons (POST only): completed, no-show, or back to
    confirmed (undoing a wrong mark)."""

    permission = "change"

    def get(self, request, pk):
        return redirect(change_url(self.appointment_for_change(pk)))

    def post(self, request, pk):
        appointment = self.appointment_for_change(pk)
        status = request.POST.get("status")
        actor = Actor.from_request(request)
        try:
            if status == Appointment.Status.CONFIRMED:
                services.appointment_reopen(appointment=appointment, actor=actor)
                messages.success(request, f"{appointment} is confirmed again.")
            elif status in services.STAFF_FINAL_STATUSES:
                services.appointment_set_status(appointment=appointment, status=status, actor=actor)
                messages.success(request, f"{appointment} {services.STATUS_DETAILS[status]}.")
            else:
                messages.error(request, MSG_BAD_STATUS)
        except services.BookingError as error:
            messages.error(request, error.message)
        return redirect(change_url(appointment))


def set_status_many(request, appointments, status: str, *, now: datetime | None = None) -> None:
    """Mark each appointment through the service. Calls that have not started yet are skipped
    and counted in one message; other refusals are reported one by one."""
    now = now or timezone.now()
    actor = Actor.from_request(request)
    appointments = list(appointments)
    not_started = [a for a in appointments if a.start > now]
    done = []
    for appointment in appointments:
        if appointment in not_started:
            continue
        try:
            services.appointment_set_status(appointment=appointment, status=status, actor=actor, now=now)
        except services.BookingError as error:
            messages.error(request, f"{appointment}: {error.message}")
        else:
            done.append(appointment)
    if not_started:
        count = len(not_started)
        messages.warning(
            request,
            MSG_SKIPPED_NOT_STARTED.format(
                count=count, s="" if count == 1 else "s", their="its" if count == 1 else "their"
            ),
        )
    if done:
        names = ", ".join(str(a) for a in done)
        messages.success(request, f"{names} {services.STATUS_DETAILS[status]}.")
