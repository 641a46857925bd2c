"""What `manage.py seed` creates for the scheduling app. Returns lines to report."""

from datetime import time

from scheduling.models import BookingRules, Weekday, WeeklyHours

DEFAULT_HOURS = [(day, time(9), time(17)) for day in range(Weekday.MONDAY, Weekday.FRIDAY + 1)]


def run() -> list[str]:
    lines = []
    BookingRules.load()
    if not WeeklyHours.objects.exists():
        WeeklyHours.objects.bulk_create(
            WeeklyHours(weekday=day, start_time=start, end_time=end) for day, start, end in DEFAULT_HOURS
        )
        lines.append("Weekly hours: Monday to Friday, 09:00-17:00 clinic time.")
    return lines
