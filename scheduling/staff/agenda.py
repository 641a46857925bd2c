"""The agenda page: one clinic day or a week (Monday to Sunday), in the clinic's zone."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from scheduling.models import Appointment, TimeOff, WeeklyHours, clinic_zone
from scheduling.staff.pages import StaffPage
from scheduling.zones import zone_label

MSG_BAD_DATE = "That date could not be read, so the agenda shows today."
AGENDA_FIRST_DAY, AGENDA_LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


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


class AgendaPage(StaffPage):
    """One clinic day or week: ?date=YYYY-MM-DD&view=day|week (Monday to Sunday)."""

    permission = "view"
    template_name = "admin/scheduling/appointment/agenda.html"

    def get(self, request):
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
        return self.render(
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
