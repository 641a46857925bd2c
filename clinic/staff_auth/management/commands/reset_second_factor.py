"""Remove every second-factor device of one user: their next sign-in leads to setup.

For the owner who lost phone and recovery codes when no other superuser can reset them in admin,
and for a laptop's superuser starting over. Recorded in the audit trail.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clinic.staff_auth import services


class Command(BaseCommand):
    help = "Reset a staff member's second factor (they set up a new one at their next sign-in)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}.") from exc
        count = services.second_factor_reset(request=None, user=user)
        self.stdout.write(
            f"Removed {count} second-factor device(s) of {username}; "
            "they set up a new one at their next sign-in."
        )
