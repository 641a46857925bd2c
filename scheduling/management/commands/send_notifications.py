"""Send the outbox: every pending message that is due (confirmations, alerts, reminders, retries).

Run by cron every minute in production:  * * * * *  python manage.py send_notifications
Safe to run often and on several servers at once: each message is claimed by one run only.
"""

from django.core.management.base import BaseCommand

from scheduling.notifications import deliver_due


class Command(BaseCommand):
    help = "Send due outbox messages (with retries and backoff). Run every minute."
    kinds = None

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Most messages to send in this run.")

    def handle(self, *args, limit, **options):
        report = deliver_due(kinds=self.kinds, limit=limit)
        summary = (
            f"Sent {report.sent}, retrying later {report.retrying}, failed {report.failed}, "
            f"no longer needed {report.not_needed}."
        )
        if report.stopped_early:
            summary += " Stopped early: the mail server did not answer; the next run retries."
        self.stdout.write(summary)
