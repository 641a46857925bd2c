"""Any change to the calendar makes the cached slot lists stale."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from scheduling.models import Appointment, BookingRules, TimeOff, WeeklyHours
from scheduling.selectors import invalidate_booked_times, invalidate_slots_cache


@receiver([post_save, post_delete], sender=Appointment)
def bookings_changed(sender, **kwargs):
    # Now and again after commit (before it, another request could cache the old state again).
    invalidate_booked_times()


@receiver([post_save, post_delete], sender=WeeklyHours)
@receiver([post_save, post_delete], sender=TimeOff)
@receiver([post_save, post_delete], sender=BookingRules)
def calendar_changed(sender, **kwargs):
    # Now and again after commit (before it, another request could cache the old state again).
    invalidate_slots_cache()
