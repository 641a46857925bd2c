"""Site-wide records that belong to no single app: the audit trail, staff calendar feed tokens and
the practice's own contact details."""

import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Field names only, never values.

    Written by `clinic.audit.record`; nobody edits or deletes it through the site (health data
    rules ask for a trail staff cannot rewrite). Superusers read it in admin.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        ADD = "add", "Added"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        ACTION = "action", "Action"

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Kept when the user is deleted: the username copy still says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=12, choices=Action.choices)
    # What happened, in words that carry no personal data: "mark completed", "CSV of 25 rows".
    detail = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True, help_text="Names of the fields, never their values.")
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_event_object")]

    def __str__(self):
        target = f"{self.object_type} #{self.object_id}" if self.object_id else self.object_type
        return f"{self.get_action_display()} {target}".strip()


class StaffFeedToken(models.Model):
    """A secret calendar feed URL for one staff user. Only the hash is kept; revoking is permanent.

    Calendar apps cannot log in, so the feed is reached by the token alone; it lists times and
    admin links only, never patient details.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "staff calendar feed"
        verbose_name_plural = "staff calendar feeds"

    def __str__(self):
        return f"Calendar feed #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, user, *, now=None) -> tuple["StaffFeedToken", str]:
        """Revoke the user's active feeds and create a new one. Returns (row, raw token); show it once."""
        now = now or timezone.now()
        cls.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        raw = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, token_hash=hash_token(raw), created_at=now), raw

    @classmethod
    def active_for(cls, raw: str):
        """The active feed for a raw token, with its user, or None."""
        return (
            cls.objects.select_related("user")
            .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )


MSG_PHONE_INVALID = "Enter a phone number with 10 digits, for example (212) 555-0142, or +1 212 555 0142."
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ().-]+$")


def validate_practice_phone(value: str) -> None:
    """A US number as people write it: digits with spaces, dots, dashes or brackets, no letters."""
    digits = re.sub(r"\D", "", value)
    if not PHONE_CHARACTERS.match(value) or len(digits.removeprefix("1")) != 10:
        raise ValidationError(MSG_PHONE_INVALID)


class PracticeProfile(models.Model):
    """How patients reach the practice, and its video room. One row (pk=1), made by the migration;
    staff edit it in admin. Everything is optional: a detail left empty is simply not shown.

    Pages and emails read it through `clinic.practice.profile()`, which caches it; saving drops
    that cached copy and the cached public pages (their footer shows these details).
    """

    phone = models.CharField(
        max_length=30, blank=True, validators=[validate_practice_phone], help_text="e.g. (212) 555-0142."
    )
    email = models.EmailField("email address", blank=True, help_text="Where patients may write.")
    office_hours = models.TextField(
        blank=True,
        max_length=300,
        help_text="As patients should read them, e.g. “Monday to Friday, 9 AM to 5 PM Eastern Time”.",
    )
    video_room_url = models.URLField(
        "video room address",
        blank=True,
        max_length=500,
        # URLField alone also takes ftp:// addresses; a patient's browser must open this one.
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The practice's telehealth room (https://...), given to patients who chose video.",
    )

    class Meta:
        verbose_name = "practice contact details"
        verbose_name_plural = "practice contact details"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="practice_profile_single_row"),
            models.CheckConstraint(
                condition=Q(video_room_url="")
                | Q(video_room_url__istartswith="https://")
                | Q(video_room_url__istartswith="http://"),
                name="practice_profile_video_room_is_web_address",
            ),
        ]

    def __str__(self):
        return "Practice contact details"

    def save(self, *args, **kwargs):
        from clinic.practice import forget_profile

        self.pk = 1
        super().save(*args, **kwargs)
        forget_profile()
