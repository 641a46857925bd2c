"""Reports for scheduling staff: meet-and-greets by month (one aggregate query, whatever the data)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from scheduling.models import Appointment, clinic_zone
from scheduling.staff.pages import StaffPage, record_view

MONTHS = 12
Status = Appointment.Status


@dataclass(frozen=True)
class MonthRow:
    month: date
    booked: int = 0
    completed: int = 0
    no_show: int = 0
    cancelled_by_patient: int = 0
    cancelled_by_clinic: int = 0
    by_staff: int = 0

    @property
    def no_show_rate(self) -> str:
        """No-shows among the calls that were due and recorded (completed or no-show)."""
        due = self.completed + self.no_show
        return f"{100 * self.no_show / due:.0f}%" if due else "—"


def month_starts(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the last `months` months, this one last."""
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def meet_and_greets_by_month(*, today: date) -> list[MonthRow]:
    """Counts per clinic month of the call's start, for the last 12 months (this one included)."""
    zone = clinic_zone()
    firsts = month_starts(today)
    since = datetime.combine(firsts[0], time.min, tzinfo=zone)
    rows = (
        Appointment.objects.filter(start__gte=since)
        .annotate(month=TruncMonth("start", tzinfo=zone))
        .values("month")
        .annotate(
            booked=Count("pk"),
            completed=Count("pk", filter=Q(status=Status.COMPLETED)),
            no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
            cancelled_by_patient=Count("pk", filter=Q(status=Status.CANCELLED_BY_PATIENT)),
            cancelled_by_clinic=Count("pk", filter=Q(status=Status.CANCELLED_BY_CLINIC)),
            by_staff=Count("pk", filter=Q(source=Appointment.Source.STAFF)),
        )
        .order_by("month")
    )
    found = {}
    for row in rows:
        month = row.pop("month")
        month = month.astimezone(zone).date() if isinstance(month, datetime) else month
        found[month.replace(day=1)] = MonthRow(month=month.replace(day=1), **row)
    return [found.get(first, MonthRow(month=first)) for first in firsts]


class MonthlyReportPage(StaffPage):
    permission = "view"
    template_name = "admin/scheduling/appointment/report.html"

    def get(self, request):
        today = timezone.now().astimezone(clinic_zone()).date()
        rows = meet_and_greets_by_month(today=today)
        total = MonthRow(
            month=today,
            **{
                name: sum(getattr(row, name) for row in rows)
                for name in (
                    "booked",
                    "completed",
                    "no_show",
                    "cancelled_by_patient",
                    "cancelled_by_clinic",
                    "by_staff",
                )
            },
        )
        record_view(request, "scheduling.appointment", detail="report: meet-and-greets by month")
        return self.render("Meet-and-greets by month", rows=rows, total=total)
