"""`python manage.py purge_appointments`: the daily retention job (see scheduling/retention.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from scheduling.public.throttle import counters_purge
from scheduling.retention import appointments_purge


class Command(BaseCommand):
    help = (
        "Remove the personal data of appointments that ended more than APPOINTMENT_RETENTION_DAYS ago "
        "(anonymous counts stay), and rate-limit counters older than a day. Idempotent; run it daily "
        "from cron."
    )

    def handle(self, *args, **options):
        result = appointments_purge()
        counters = counters_purge()
        # Counts only: never a name or an address in the output (it ends up in cron mail and logs).
        self.stdout.write(
            f"Purged the personal data of {result.appointments} appointment(s) older than "
            f"{settings.APPOINTMENT_RETENTION_DAYS} days ({result.notifications} message(s), "
            f"{result.log_entries} admin log entr{'y' if result.log_entries == 1 else 'ies'}), "
            f"and {counters} rate-limit counter(s) older than a day."
        )
