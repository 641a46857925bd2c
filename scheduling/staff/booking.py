"""Booking, moving, cancelling and marking a meet-and-greet on a caller's behalf.

Every change goes through scheduling.services (the same rules as the public flow); a refusal
shows its message and changes nothing.
"""

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from clinic.audit import Actor
from scheduling import services
from scheduling.models import Appointment, clinic_zone
from scheduling.public.forms import BOOKING_FIELDS, parse_instant
from scheduling.staff.forms import CancelForm, StaffBookingForm, StartForm, free_times_of_day
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


def _initial_day(data) -> date:
    """The date whose free times are shown: the one asked for, else today (clinic time)."""
    try:
        day = date.fromisoformat(data.get("day", ""))
    except ValueError:
        day = None
    today = timezone.now().astimezone(clinic_zone()).date()
    return day if day is not None and today <= day <= today + timedelta(days=3650) else today


class WhenPage(StaffPage):
    """A page that picks a time: the free times of the chosen date first (in the clinic's and
    the caller's zones), another time after an explicit "outside the usual hours" confirmation.
    "Show free times" (`_show`) re-renders for another date without booking anything."""

    form_class = None

    def form(self, data=None, *, initial=None):
        if data is not None and "_show" in data:
            data, initial = None, data.dict()
        form = self.form_class(data, initial=initial)
        day = _initial_day(data if data is not None else (initial or {}))
        if not form.is_bound:
            form.initial.setdefault("day", day)
        zone = getattr(form, "patient_zone", None) or self.patient_zone()
        form.set_free_times(free_times_of_day(day, patient_zone=zone))
        form.free_day = day
        return form

    def patient_zone(self) -> str | None:
        return None

    def booking_errors(self, form, error: services.BookingError) -> dict:
        """Put a refusal on the form (the error summary shows it); say what the page needs."""
        if isinstance(error, services.OutsideUsualHours):
            form.add_error("confirm_outside", error.message)
            return {"show_confirm": True}
        form.add_error(None, refusal(error))
        return {}


class BookPage(WhenPage):
    permission = "add"
    template_name = "admin/scheduling/appointment/book.html"
    form_class = StaffBookingForm

    def get(self, request):
        return self.show(self.form(initial=request.GET.dict()))

    def post(self, request):
        form = self.form(request.POST)
        extra = {}
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                result = services.appointment_book(
                    **{name: data[name] for name in BOOKING_FIELDS},
                    source=Appointment.Source.STAFF,
                    actor=Actor.from_request(request),
                    outside_hours=data["confirm_outside"],
                    language=data["language"],
                )
            except services.DuplicateBooking as error:
                extra = {"existing": error.existing, "existing_when": clinic_time(error.existing.start)}
                extra["move_url"] = (
                    reverse("admin:scheduling_appointment_reschedule", args=[error.existing.pk])
                    + "?"
                    + urlencode({"start": data["start"].isoformat()})
                )
                form.add_error("email", services.STAFF_DUPLICATE)
            except services.BookingError as error:
                extra = self.booking_errors(form, error)
            else:
                appointment = result.appointment
                messages.success(
                    request,
                    f"{appointment} booked for {clinic_time(appointment.start)}. "
                    "The confirmation email is queued.",
                )
                return redirect(change_url(appointment))
        return self.show(form, **extra)

    def show(self, form, **extra):
        return self.render("Book a meet-and-greet for a caller", form=form, **extra)


class ReschedulePage(WhenPage):
    permission = "change"
    template_name = "admin/scheduling/appointment/reschedule.html"
    form_class = StartForm

    def get(self, request, pk):
        self.appointment = self.appointment_for_change(pk)
        initial = request.GET.dict()
        start = parse_instant(initial.pop("start", ""))
        if start is not None:
            # From "move it instead" on the booking page: that time, as another time.
            local = start.astimezone(clinic_zone())
            initial.update(day=local.date().isoformat(), other_time=f"{local:%H:%M}")
        return self.show(self.form(initial=initial))

    def post(self, request, pk):
        self.appointment = appointment = self.appointment_for_change(pk)
        form = self.form(request.POST)
        extra = {}
        if form.is_bound and form.is_valid():
            try:
                result = services.appointment_move(
                    appointment=appointment,
                    new_start=form.cleaned_data["start"],
                    actor=Actor.from_request(request),
                    outside_hours=form.cleaned_data["confirm_outside"],
                )
            except services.BookingError as error:
                extra = self.booking_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Moved to {clinic_time(result.appointment.start)}. The patient is told by email.",
                )
                return redirect(change_url(appointment))
        return self.show(form, **extra)

    def patient_zone(self) -> str | None:
        return self.appointment.time_zone

    def show(self, form, **extra):
        appointment = self.appointment
        return self.render(
            f"Reschedule {appointment}",
            form=form,
            original=appointment,
            current_time=clinic_time(appointment.start),
            **extra,
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
