"""Fetch the doctor's busy calendars and store their busy times. Cron: every 5 minutes.

Safe on several servers at once (each calendar is synced by one at a time) and safe to repeat.
A calendar that fails keeps its last good busy times; the output names calendars, never their
addresses.
"""

from django.core.management.base import BaseCommand

from scheduling.busy.sync import busy_calendars_sync


class Command(BaseCommand):
    help = "Fetch the subscribed busy calendars (ICS) and store their busy times."

    def handle(self, *args, **options):
        results = busy_calendars_sync()
        for result in results:
            stream = self.stdout if result.ok else self.stderr
            stream.write(str(result))
        if not results:
            self.stdout.write("No busy calendars to sync.")
