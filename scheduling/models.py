"""The booking calendar: when the doctor is available, and who booked which meet-and-greet.

All instants are stored in UTC. Weekly hours and time off are wall-clock times in the
clinic's zone (settings.CLINIC_TIME_ZONE), so 09:00 stays 09:00 across DST changes.
"""

import secrets
import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clinic.models import hash_token
from scheduling.zones import PATIENT_ZONE_CHOICES, STATE_CHOICES


def clinic_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.CLINIC_TIME_ZONE)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeeklyHours(models.Model):
    """One range of bookable hours on a weekday, in the clinic's zone. A day may have several."""

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Clinic time.")
    end_time = models.TimeField(help_text="Clinic time.")

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name = "weekly hours"
        verbose_name_plural = "weekly hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="weekly_hours_end_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        if self.start_time is None or self.end_time is None or self.weekday is None:
            return
        if self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The end must be later than the start."})
        overlapping = WeeklyHours.objects.filter(
            weekday=self.weekday, start_time__lt=self.end_time, end_time__gt=self.start_time
        ).exclude(pk=self.pk)
        if overlapping.exists():
            other = overlapping.first()
            raise ValidationError(f"These hours overlap {other}. Change or delete that range first.")


class TimeOff(models.Model):
    """Days or hours when nobody can book, in the clinic's zone. Time off wins over weekly hours.

    Leave both times empty for whole days. Without a start time it starts at the start of the
    first day; without an end time it lasts through the end of the last day.
    """

    start_date = models.DateField()
    start_time = models.TimeField(null=True, blank=True, help_text="Clinic time. Empty: from midnight.")
    end_date = models.DateField()
    end_time = models.TimeField(null=True, blank=True, help_text="Clinic time. Empty: through the day's end.")
    reason = models.CharField(max_length=200, blank=True, help_text="Private: only staff see it.")

    class Meta:
        ordering = ["start_date", "start_time"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="time_off_end_not_before_start"
            ),
        ]

    def __str__(self):
        return f"Time off {self.start_date:%Y-%m-%d} to {self.end_date:%Y-%m-%d}"

    def bounds(self, zone: zoneinfo.ZoneInfo | None = None) -> tuple[datetime, datetime]:
        """The time off as aware datetimes (in `zone`, the clinic's by default)."""
        zone = zone or clinic_zone()
        start = datetime.combine(self.start_date, self.start_time or time.min, tzinfo=zone)
        if self.end_time is None:
            end = datetime.combine(self.end_date + timedelta(days=1), time.min, tzinfo=zone)
        else:
            end = datetime.combine(self.end_date, self.end_time, tzinfo=zone)
        return start, end

    def clean(self):
        if self.start_date is None or self.end_date is None:
            return
        start, end = self.bounds()
        if end <= start:
            raise ValidationError("The time off must end after it starts.")


class BookingRules(models.Model):
    """The rules for offering slots. One record (pk=1), created by migration; edit it in admin."""

    slot_minutes = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(240)], help_text="Length of a call."
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MaxValueValidator(240)], help_text="Free time kept between two calls."
    )
    minimum_notice_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(24 * 60)],
        help_text="How long before a call it can still be booked.",
    )
    horizon_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How many days ahead patients may book (at most a year).",
    )
    daily_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Most meet-and-greets in one day. Empty: no limit.",
    )
    step_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="Minutes between two offered start times. Empty: call length plus buffer.",
    )

    class Meta:
        verbose_name = "booking rules"
        verbose_name_plural = "booking rules"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="booking_rules_single_row"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=1, slot_minutes__lte=240), name="booking_rules_slot_length"
            ),
            models.CheckConstraint(
                condition=Q(horizon_days__gte=1, horizon_days__lte=365), name="booking_rules_horizon"
            ),
        ]

    def __str__(self):
        return "Booking rules"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "BookingRules":
        rules, _ = cls.objects.get_or_create(pk=1)
        return rules

    @property
    def effective_step_minutes(self) -> int:
        return self.step_minutes or self.slot_minutes + self.buffer_minutes


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        """Appointments that hold their time (only confirmed ones do)."""
        return self.filter(status=Appointment.Status.CONFIRMED)

    def upcoming(self, now: datetime | None = None):
        return self.filter(start__gt=now or timezone.now())

    def overlapping(self, start: datetime, end: datetime):
        return self.filter(start__lt=end, end__gt=start)


class Appointment(models.Model):
    """A complimentary 10-minute meet-and-greet.

    Only what a first call needs. `__str__` never carries the patient's name (Django's admin
    log copies it). Two confirmed appointments can never overlap: the database refuses it
    (an exclusion constraint on PostgreSQL, added in migration 0002, and a unique start everywhere).
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED_BY_PATIENT = "cancelled_by_patient", "Cancelled by patient"
        CANCELLED_BY_CLINIC = "cancelled_by_clinic", "Cancelled by clinic"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"

    class ContactMethod(models.TextChoices):
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"

    class Source(models.TextChoices):
        ONLINE = "online", "Booked online"
        STAFF = "staff", "Booked by staff"

    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.CONFIRMED, db_index=True)

    full_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, db_index=True)
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +12125550123.")
    state = models.CharField(max_length=2, choices=STATE_CHOICES)
    time_zone = models.CharField(max_length=40, choices=PATIENT_ZONE_CHOICES)
    contact_method = models.CharField(max_length=8, choices=ContactMethod.choices)
    note = models.CharField(max_length=500, blank=True)

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ONLINE)
    # Every message to the patient is composed in it (scheduling.messages); staff's stay English.
    language = models.CharField(
        "language of the patient's emails", max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # Raised on every change of time or status: outbox rows and .ics SEQUENCE follow it.
    version = models.PositiveIntegerField(default=1)
    manage_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the retention job blanked the personal data.
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_end_after_start"),
            models.CheckConstraint(
                condition=Q(state__in=["NY", "TX", "CA"]), name="appointment_state_served"
            ),
            # Everywhere (SQLite too): no two confirmed appointments start at the same instant.
            models.UniqueConstraint(
                fields=["start"], condition=Q(status="confirmed"), name="appointment_unique_confirmed_start"
            ),
        ]

    def __str__(self):
        return f"Meet-and-greet #{self.pk}" if self.pk else "New meet-and-greet"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def patient_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def issue_manage_token(self) -> str:
        """A new private manage link token (192 random bits); only its hash is kept. Caller saves."""
        token = secrets.token_urlsafe(24)
        self.manage_token_hash = hash_token(token)
        return token

    @classmethod
    def for_manage_token(cls, token: str):
        """The appointment a manage token belongs to, or None. Constant work whatever the token."""
        return cls.objects.filter(manage_token_hash=hash_token(token)).first()


class Notification(models.Model):
    """The outbox: one row per message, written in the same transaction as the change it tells of.

    Sending happens after commit (and by `manage.py send_notifications`), so a mail server
    that is down delays a message and never loses a booking.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation to patient"
        STAFF_ALERT = "staff_alert", "New booking alert to staff"
        REMINDER = "reminder", "Reminder to patient"
        CANCELLATION = "cancellation", "Cancellation to patient"
        STAFF_CANCELLATION = "staff_cancellation", "Cancellation alert to staff"
        RESCHEDULE = "reschedule", "New time to patient"
        STAFF_RESCHEDULE = "staff_reschedule", "New time alert to staff"
        MANAGE_LINK = "manage_link", "Manage link to patient"
        STAFF_CONTACT_CHANGE = "staff_contact_change", "Contact details changed alert to staff"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Not sent (no longer needed)"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    appointment_version = models.PositiveIntegerField()
    recipient = models.CharField(max_length=254)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    # The message as rendered when it was queued, so a retry sends exactly the same thing.
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True)
    send_after = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind", "appointment_version"], name="notification_once_per_version"
            ),
        ]
        indexes = [models.Index(fields=["status", "send_after"], name="notification_due")]

    def __str__(self):
        return f"{self.get_kind_display()} for meet-and-greet #{self.appointment_id}"


class Throttle(models.Model):
    """A fixed-window request counter shared by every app server (it lives in the database).

    Keys are HMACs of the client address and the action, never the address itself.
    """

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Throttle {self.key[:8]}"


class BusyCalendar(models.Model):
    """One of the doctor's own calendars, subscribed by its private ICS address.

    `manage.py sync_busy_calendars` reads it into `BusyInterval` rows, and those block booking
    times. The address is a secret (anyone who has it reads the calendar): admin shows it masked,
    and it never goes into logs, errors, emails or `__str__`. A calendar that cannot be read keeps
    its last good busy times (fail closed); a paused one blocks nothing and is not fetched.
    """

    name = models.CharField(max_length=100, help_text='For staff, e.g. "Hospital calendar".')
    url = models.CharField("secret address", max_length=2000)
    paused = models.BooleanField(
        default=False, help_text="A paused calendar is not fetched and its busy times block nothing."
    )
    # What the server said last time, for conditional requests (a 304 keeps what is stored).
    etag = models.CharField(max_length=200, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # The stored busy times cover events up to this instant; a later need forces a full fetch.
    expanded_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=200, blank=True, editable=False)
    busy_count = models.PositiveIntegerField(default=0, editable=False)
    # Set when staff were told the calendar has not synced for a long time; cleared by a success.
    alert_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "busy calendar"

    def __str__(self):
        return self.name


class BusyInterval(models.Model):
    """A time when the doctor is busy, read from a busy calendar (UTC; no title or details kept)."""

    calendar = models.ForeignKey(BusyCalendar, on_delete=models.CASCADE, related_name="busy_intervals")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="busy_interval_end_after_start"),
        ]
        indexes = [models.Index(fields=["start", "end"], name="busy_interval_span")]

    def __str__(self):
        return f"Busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"
