"""The agenda page: one clinic day or a week (Monday to Sunday), in the clinic's zone."""

from datetime import UTC, date, timedelta

from django.contrib import messages
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from scheduling import agenda, selectors
from scheduling.models import Appointment, TimeOff, clinic_zone
from scheduling.staff.pages import StaffPage, record_view
from scheduling.zones import zone_label

MSG_BAD_DATE = "That date could not be read, so the agenda shows today."
AGENDA_FIRST_DAY, AGENDA_LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def details(appointment: Appointment) -> str:
    where = f"lives in {appointment.state}, {zone_label(appointment.time_zone, appointment.state)}"
    return " · ".join([appointment.full_name, appointment.get_contact_method_display(), where])


def load_agenda(*, first: date, days: int, today: date) -> list[agenda.AgendaDay]:
    """The agenda of clinic dates first .. first + days - 1: the availability (one model, through
    the selector), the appointments starting in the range and the time off reasons."""
    zone = clinic_zone()
    last = first + timedelta(days=days - 1)
    range_start, range_end = agenda.day_bounds(first, zone)[0], agenda.day_bounds(last, zone)[1]
    availability = selectors.load_availability(first_day=first, last_day=last)
    appointments = list(
        Appointment.objects.filter(start__gte=range_start, start__lt=range_end)
        .only("pk", "start", "end", "status", "full_name", "contact_method", "time_zone", "state")
        .order_by("start")
    )
    reasons = {
        tuple(b.astimezone(UTC) for b in off.bounds(zone)): off.reason
        for off in TimeOff.objects.filter(start_date__lte=last, end_date__gte=first - timedelta(days=1))
    }
    agenda_days = agenda.agenda_days(
        availability=availability,
        appointments=appointments,
        first=first,
        days=days,
        today=today,
        zone=zone,
        time_off_reasons=reasons,
    )
    for day in agenda_days:
        for row in day.rows:
            if row.kind == "appointment":
                row.label = details(row.appointment)
    return agenda_days


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
        record_view(request, "scheduling.appointment", detail=f"agenda ({view} of {first.isoformat()})")
        return self.render(
            f"Agenda: {heading}",
            heading=heading,
            view=view,
            days=load_agenda(first=first, days=days, today=today),
            previous_url=link(first - step),
            next_url=link(first + step),
            today_url=link(today),
            day_url=link(anchor, "day"),
            week_url=link(anchor, "week"),
            book_url=reverse("admin:scheduling_appointment_book"),
            feed_url=reverse("admin:scheduling_appointment_feed_token"),
            changelist_url=reverse("admin:scheduling_appointment_changelist"),
        )
