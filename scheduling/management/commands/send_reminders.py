"""Send the due reminders (and nothing else).

Reminders are queued when a booking is made (send_after = start - 24 hours), so
`send_notifications` already sends them; this command is the same code path limited to
reminders, for a separate schedule if one is wanted. Running it twice sends nothing twice.
"""

from scheduling.management.commands.send_notifications import Command as SendNotifications
from scheduling.models import Notification


class Command(SendNotifications):
    help = "Send the due reminders. send_notifications sends them too."
    kinds = [Notification.Kind.REMINDER]
