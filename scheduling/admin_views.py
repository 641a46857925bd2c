"""The admin's own pages for the booking calendar: agenda, staff booking, cancel, reschedule,
status, CSV export and the staff calendar feed URL. Wired by AppointmentAdmin.get_urls.

Every change goes through scheduling.services (the same rules as the public flow); a refusal
shows its message and changes nothing. Each page checks the model permission it needs.
"""

import csv
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from clinic import audit
from clinic.models import AuditEvent, StaffFeedToken
from scheduling import selectors, services
from scheduling.forms import BOOKING_FIELDS, BookingForm, SlotChoiceField
from scheduling.models import Appointment, BookingRules, TimeOff, WeeklyHours, clinic_zone
from scheduling.zones import PATIENT_ZONES, STATE_CHOICES, STATE_ZONES, zone_label

MSG_BAD_DATE = "That date could not be read, so the agenda shows today."
AGENDA_FIRST_DAY, AGENDA_LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
MSG_BAD_STATUS = "Choose “completed” or “no-show”."
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


def clinic_zone_name() -> str:
    return PATIENT_ZONES.get(settings.CLINIC_TIME_ZONE, settings.CLINIC_TIME_ZONE)


def _context(model_admin, request, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Appointment._meta,
        "title": title,
        "clinic_zone_name": clinic_zone_name(),
        **extra,
    }


def _change_url(appointment) -> str:
    return reverse("admin:scheduling_appointment_change", args=[appointment.pk])


def _appointment_for_change(model_admin, request, pk) -> Appointment:
    appointment = get_object_or_404(Appointment, pk=pk)
    if not model_admin.has_change_permission(request, appointment):
        raise PermissionDenied
    return appointment


def _when(instant: datetime) -> str:
    return f"{instant.astimezone(clinic_zone()):%a %d %b %Y, %H:%M %Z}"


def _refusal(error: services.BookingError) -> str:
    """The service's message, with the nearby free times it found (clinic time)."""
    nearby = getattr(error, "nearby", None) or []
    if not nearby:
        return error.message
    return f"{error.message} Nearby free times: {'; '.join(_when(slot.start) for slot in nearby)}."


# --- free times (the same selector patients use; shown in the clinic's zone) --------------


def free_time_choices(*, now: datetime | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Free start times over the booking horizon, grouped by clinic date, as <select> choices."""
    now = now or timezone.now()
    zone = clinic_zone()
    today = now.astimezone(zone).date()
    days = BookingRules.load().horizon_days + 1
    groups: dict[date, list[tuple[str, str]]] = {}
    for slot in selectors.patient_slots(tz=settings.CLINIC_TIME_ZONE, start=today, days=days, now=now):
        local = slot.start.astimezone(zone)
        groups.setdefault(local.date(), []).append(
            (slot.start.astimezone(UTC).isoformat(), f"{local:%H:%M %Z}")
        )
    return [(f"{day:%A %d %B %Y}", options) for day, options in groups.items()]


class FreeTimeField(SlotChoiceField):
    """A <select> of free times (choices set per request). Any well-formed instant is passed on:
    the service decides whether it is still free, and says so with nearby times."""

    widget = forms.Select


class StartForm(forms.Form):
    start = FreeTimeField(
        label=f"New time ({clinic_zone_name()})", error_messages={"required": "Please choose a time."}
    )

    def set_choices(self, choices) -> None:
        self.fields["start"].widget.choices = [("", "Choose a free time"), *choices]


class StaffBookingForm(StartForm):
    """A caller's details, with the same checks as the public form (minus the bot defences)."""

    field_order = ["state", "time_zone", "start", "full_name", "email", "phone", "contact_method", "note"]

    state = forms.ChoiceField(choices=[("", "Choose the state"), *STATE_CHOICES], label="State of residence")
    time_zone = forms.ChoiceField(
        choices=[("", "Choose the zone"), *PATIENT_ZONES.items()],
        label="Patient's time zone",
        help_text="Emails to the patient show times in this zone.",
    )
    full_name = BookingForm.base_fields["full_name"]
    email = BookingForm.base_fields["email"]
    phone = BookingForm.base_fields["phone"]
    contact_method = BookingForm.base_fields["contact_method"]
    note = BookingForm.base_fields["note"]
    confirm_residence = forms.BooleanField(
        label="The caller lives in this state and will be there during the call.",
        error_messages={"required": "Please confirm where the caller lives."},
    )

    clean_full_name = BookingForm.clean_full_name
    clean_phone = BookingForm.clean_phone
    clean_note = BookingForm.clean_note

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].label = f"Time ({clinic_zone_name()})"

    def clean(self):
        cleaned = super().clean()
        state, zone = cleaned.get("state"), cleaned.get("time_zone")
        if state and zone and zone not in STATE_ZONES[state]:
            self.add_error("time_zone", f"{PATIENT_ZONES[zone]} is not used in {dict(STATE_CHOICES)[state]}.")
        return cleaned


# --- staff booking -------------------------------------------------------------------------


def book(model_admin, request):
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = StaffBookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.appointment_book(
                **{name: form.cleaned_data[name] for name in BOOKING_FIELDS}, source=Appointment.Source.STAFF
            )
        except services.BookingError as error:
            messages.error(request, _refusal(error))
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
                f"{appointment} booked for {_when(appointment.start)}. The confirmation email is queued.",
            )
            return redirect(_change_url(appointment))
    form.set_choices(free_time_choices())
    context = _context(model_admin, request, "Book a meet-and-greet for a caller", form=form)
    return TemplateResponse(request, "admin/scheduling/appointment/book.html", context)


# --- one appointment: reschedule, cancel, status ---------------------------------------------


def reschedule(model_admin, request, pk):
    appointment = _appointment_for_change(model_admin, request, pk)
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.appointment_move(appointment=appointment, new_start=form.cleaned_data["start"])
        except services.BookingError as error:
            messages.error(request, _refusal(error))
        else:
            audit.record(
                request,
                AuditEvent.Action.ACTION,
                obj=appointment,
                fields=["start", "end"],
                detail="rescheduled",
            )
            messages.success(
                request, f"Moved to {_when(result.appointment.start)}. The patient is told by email."
            )
            return redirect(_change_url(appointment))
    form.set_choices(free_time_choices())
    context = _context(
        model_admin,
        request,
        f"Reschedule {appointment}",
        form=form,
        original=appointment,
        current_time=_when(appointment.start),
    )
    return TemplateResponse(request, "admin/scheduling/appointment/reschedule.html", context)


class CancelForm(forms.Form):
    message = forms.CharField(
        label="Message to the patient (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        help_text="Added to the cancellation email. Leave out medical details.",
    )

    def clean_message(self):
        return " ".join(self.cleaned_data["message"].split(" ")).strip()


def cancel(model_admin, request, pk):
    appointment = _appointment_for_change(model_admin, request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment, by_clinic=True, message=form.cleaned_data["message"]
            )
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            audit.record(
                request,
                AuditEvent.Action.ACTION,
                obj=appointment,
                fields=["status"],
                detail="cancelled by clinic",
            )
            messages.success(request, f"{appointment} is cancelled. The patient is told by email.")
        return redirect(_change_url(appointment))
    context = _context(
        model_admin,
        request,
        f"Cancel {appointment}",
        form=form,
        original=appointment,
        when=_when(appointment.start),
    )
    return TemplateResponse(request, "admin/scheduling/appointment/cancel.html", context)


STATUS_ACTIONS = {
    Appointment.Status.COMPLETED: "marked completed",
    Appointment.Status.NO_SHOW: "marked no-show",
}


def set_status(model_admin, request, pk):
    appointment = _appointment_for_change(model_admin, request, pk)
    if request.method == "POST":
        status = request.POST.get("status")
        if status not in STATUS_ACTIONS:
            messages.error(request, MSG_BAD_STATUS)
        else:
            set_status_many(model_admin, request, [appointment], status)
    return redirect(_change_url(appointment))


def set_status_many(model_admin, request, appointments, status: str) -> None:
    """Mark each appointment through the service; refusals are reported one by one."""
    done = []
    for appointment in appointments:
        try:
            services.appointment_set_status(appointment=appointment, status=status)
        except services.BookingError as error:
            messages.error(request, f"{appointment}: {error.message}")
        else:
            done.append(appointment)
    if done:
        audit.record_many(
            request, AuditEvent.Action.ACTION, done, fields=["status"], detail=STATUS_ACTIONS[status]
        )
        names = ", ".join(str(a) for a in done)
        messages.success(request, f"{names} {STATUS_ACTIONS[status]}.")


# --- CSV export of the filtered list -----------------------------------------------------------


def _csv_cell(value) -> str:
    # Spreadsheets run a cell that starts like a formula; a leading apostrophe keeps it text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export(model_admin, request):
    """GET: how many rows the current filters select, and a button. POST: the CSV, audited."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        messages.error(request, MSG_BAD_FILTER)
        return redirect("admin:scheduling_appointment_changelist")
    queryset = changelist.get_queryset(request)
    if request.method != "POST":
        filters = [(key, value) for key, value in request.GET.items() if key not in ("p", "o")]
        context = _context(
            model_admin,
            request,
            "Export appointments as CSV",
            count=queryset.count(),
            filters=filters,
            columns=CSV_COLUMNS,
            changelist_url=reverse("admin:scheduling_appointment_changelist") + "?" + urlencode(request.GET),
        )
        return TemplateResponse(request, "admin/scheduling/appointment/export_confirm.html", context)

    zone = clinic_zone()
    rows = list(queryset)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointments-{timezone.now():%Y%m%d-%H%M}.csv"'
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
                _csv_cell(a.full_name),
                _csv_cell(a.email),
                a.phone,
                a.state,
                a.contact_method,
                a.source,
                _csv_cell(a.note),
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


# --- the staff calendar feed URL ------------------------------------------------------------------


def feed_token(model_admin, request):
    """Issue (or revoke) the signed-in user's own calendar feed. The URL is shown once."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    feed_url = None
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            count = StaffFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            audit.record(
                request, AuditEvent.Action.ACTION, object_type="clinic.stafffeedtoken", detail="feed revoked"
            )
            messages.success(
                request, "Your calendar feed is revoked." if count else "You had no calendar feed."
            )
            return redirect("admin:scheduling_appointment_feed_token")
        row, raw = StaffFeedToken.issue(request.user)
        audit.record(request, AuditEvent.Action.ACTION, obj=row, detail="feed issued")
        feed_url = settings.SITE_URL + reverse("admin:scheduling_appointment_feed", args=[raw])
    active = StaffFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    context = _context(model_admin, request, "Your calendar feed", active=active, feed_url=feed_url)
    return TemplateResponse(request, "admin/scheduling/appointment/feed_token.html", context)


# --- the agenda ---------------------------------------------------------------------------------


@dataclass
class AgendaRow:
    kind: str  # "free", "time_off" or "appointment"
    start: datetime
    end: datetime
    appointment: Appointment | None = None
    label: str = ""

    @property
    def time_range(self) -> str:
        # Formatted here, not with the template's date filter: it leaves the zone out in the
        # repeated hour of a fall-back day, exactly where it is needed.
        return f"{self.start:%H:%M}–{self.end:%H:%M %Z}"

    @property
    def sort_key(self):
        return (self.start, {"time_off": 0, "appointment": 1, "free": 2}[self.kind])


@dataclass
class AgendaDay:
    day: date
    is_today: bool
    open_hours: list[tuple[datetime, datetime]] = field(default_factory=list)
    rows: list[AgendaRow] = field(default_factory=list)


def _details(appointment: Appointment) -> str:
    where = f"lives in {appointment.state}, {zone_label(appointment.time_zone, appointment.state)}"
    return " · ".join([appointment.full_name, appointment.get_contact_method_display(), where])


def _subtract(ranges, cuts):
    """Parts of `ranges` not covered by any of `cuts` (all (start, end) in UTC)."""
    for cut_start, cut_end in cuts:
        pieces = []
        for start, end in ranges:
            if cut_end <= start or cut_start >= end:
                pieces.append((start, end))
                continue
            if cut_start > start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        ranges = pieces
    return ranges


def agenda_days(*, first: date, days: int, today: date) -> list[AgendaDay]:
    """Each clinic date's open hours, time off, appointments and free time: three queries in all.

    Days are walked in the clinic's zone, so a DST day has 23 or 25 hours; all arithmetic is
    done in UTC (same-zone datetimes compare by wall clock, which the repeated hour breaks).
    """
    zone = clinic_zone()
    last = first + timedelta(days=days - 1)
    bounds = {
        d: (
            datetime.combine(d, time.min, tzinfo=zone).astimezone(UTC),
            datetime.combine(d + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC),
        )
        for d in (first + timedelta(days=i) for i in range(days))
    }
    range_start, range_end = bounds[first][0], bounds[last][1]
    appointments = list(
        Appointment.objects.overlapping(range_start, range_end)
        .only("pk", "start", "end", "status", "full_name", "contact_method", "time_zone", "state")
        .order_by("start")
    )
    hours = list(WeeklyHours.objects.all())
    time_off = list(TimeOff.objects.filter(start_date__lte=last, end_date__gte=first - timedelta(days=1)))

    result = []
    for d, (day_start, day_end) in bounds.items():
        agenda_day = AgendaDay(day=d, is_today=d == today)
        opening = sorted(
            (
                datetime.combine(d, h.start_time, tzinfo=zone).astimezone(UTC),
                datetime.combine(d, h.end_time, tzinfo=zone).astimezone(UTC),
            )
            for h in hours
            if h.weekday == d.weekday()
        )
        agenda_day.open_hours = opening
        blocked = []
        for off in time_off:
            off_start, off_end = (b.astimezone(UTC) for b in off.bounds(zone))
            start, end = max(off_start, day_start), min(off_end, day_end)
            if start < end:
                blocked.append((start, end))
                whole_day = start == day_start and end == day_end
                label = "All day" if whole_day else ""
                agenda_day.rows.append(AgendaRow("time_off", start, end, label=off.reason or label))
        for appointment in appointments:
            if day_start <= appointment.start < day_end:
                agenda_day.rows.append(
                    AgendaRow(
                        "appointment",
                        appointment.start,
                        appointment.end,
                        appointment,
                        label=_details(appointment),
                    )
                )
                if appointment.is_active:
                    blocked.append((appointment.start, appointment.end))
        for start, end in _subtract(opening, sorted(blocked)):
            agenda_day.rows.append(AgendaRow("free", start, end))
        agenda_day.rows.sort(key=lambda row: row.sort_key)
        for row in agenda_day.rows:
            row.start, row.end = row.start.astimezone(zone), row.end.astimezone(zone)
        agenda_day.open_hours = [(s.astimezone(zone), e.astimezone(zone)) for s, e in opening]
        result.append(agenda_day)
    return result


def agenda(model_admin, request):
    """One clinic day or week: ?date=YYYY-MM-DD&view=day|week (Monday to Sunday)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    today = timezone.now().astimezone(clinic_zone()).date()
    view = "week" if request.GET.get("view") == "week" else "day"
    try:
        anchor = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else today
    except ValueError:
        anchor = None
    if anchor is None or not AGENDA_FIRST_DAY <= anchor <= AGENDA_LAST_DAY:
        # Unreadable, or so far off that the week around it does not exist (year 1, 9999).
        messages.error(request, MSG_BAD_DATE)
        anchor = today
    if view == "week":
        first, days, step = anchor - timedelta(days=anchor.weekday()), 7, timedelta(days=7)
    else:
        first, days, step = anchor, 1, timedelta(days=1)

    base = reverse("admin:scheduling_appointment_agenda")

    def link(d: date, v: str = view) -> str:
        return f"{base}?{urlencode({'date': d.isoformat(), 'view': v})}"

    last = first + timedelta(days=days - 1)
    heading = f"{first:%A %d %B %Y}" if view == "day" else f"Week of {first:%d %B %Y} to {last:%d %B %Y}"
    context = _context(
        model_admin,
        request,
        f"Agenda: {heading}",
        heading=heading,
        view=view,
        days=agenda_days(first=first, days=days, today=today),
        previous_url=link(first - step),
        next_url=link(first + step),
        today_url=link(today),
        day_url=link(anchor, "day"),
        week_url=link(anchor, "week"),
        book_url=reverse("admin:scheduling_appointment_book"),
        feed_url=reverse("admin:scheduling_appointment_feed_token"),
        changelist_url=reverse("admin:scheduling_appointment_changelist"),
    )
    return TemplateResponse(request, "admin/scheduling/appointment/agenda.html", context)
