"""`python manage.py seed`: make a fresh install useful. Idempotent: run it as often as you like."""

from django.core.management.base import BaseCommand
from django.db import transaction

from clinic import groups
from education import seed as education_seed
from scheduling import seed as scheduling_seed


class Command(BaseCommand):
    help = "Create the sample content and defaults a fresh install needs (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for line in [*education_seed.run(), *scheduling_seed.run(), *groups.run()]:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS("Seed complete."))
