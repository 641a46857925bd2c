"""Facts about the practice, in one place, for templates, emails and structured data.

Templates see this module as `practice` (a context processor for pages; the notifications pass it
to emails), so `{{ practice.profile.phone }}` reads the contact details staff set in admin.
"""

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DOCTOR_NAME = "Dr. Panagopoulos"
PRACTICE_NAME = "Dr. Panagopoulos Addiction Psychiatry"
DOCTOR_TITLE = "Double-board-certified addiction psychiatrist"

# The states where the doctor is licensed to see patients, by postal code.
STATES_SERVED = {"NY": "New York", "TX": "Texas", "CA": "California"}
# Said where a person must live in one of them: "for people who live in New York, Texas or California".
STATES_SERVED_TEXT = _("New York, Texas or California")

MEET_AND_GREET_MINUTES = 10

CRISIS_LINE = "988"
EMERGENCY_NUMBER = "911"
SAMHSA_HELPLINE = "1-800-662-4357"
FIND_TREATMENT_URL = "https://findtreatment.gov"

DISCLAIMER = _(
    "The content of this site is for education and information only. It does not "
    "replace a medical evaluation, diagnosis or treatment."
)


# --- Contact details and video room (set by staff in admin) ---------------------------

# The cached copy is a pickled Profile: bump the version when its fields change.
PROFILE_CACHE_KEY = "clinic:practice-profile:v1"
# Each server process with a local-memory cache keeps its own copy; saving drops only the saving
# process's copy, so no copy may live longer than this (Redis shares one copy: dropped at once).
PROFILE_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class Profile:
    """The practice's contact details as pages and emails show them; empty strings when not set."""

    phone: str = ""
    email: str = ""
    office_hours: str = ""
    video_room_url: str = ""

    @property
    def phone_href(self) -> str:
        """The phone number for a tel: link, e.g. "+12125550142"."""
        digits = re.sub(r"\D", "", self.phone)
        if not digits:
            return ""
        return f"+{digits}" if len(digits) == 11 else f"+1{digits}"

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email or self.office_hours)


def _load_profile() -> Profile:
    from clinic.models import PracticeProfile

    row = PracticeProfile.objects.filter(pk=1).first()
    if row is None:
        return Profile()
    return Profile(
        phone=row.phone, email=row.email, office_hours=row.office_hours, video_room_url=row.video_room_url
    )


# The details read once for a block of work that would otherwise read them many times (see read_once).
_read_once: ContextVar[Profile | None] = ContextVar("practice_profile_read_once", default=None)


@contextmanager
def read_once():
    """Within this block `profile()` reads the cache once: composing a booking's three messages,
    each with its footer and video room, read it ten times."""
    token = _read_once.set(profile())
    try:
        yield
    finally:
        _read_once.reset(token)


def profile() -> Profile:
    """The contact details and video room address, from the cache (one query when it is cold).

    Any failure to read them gives empty details rather than an error: the footer of every page,
    the 500 page among them, calls this, and an error page must not fail in turn.
    """
    held = _read_once.get()
    if held is not None:
        return held
    cached = cache.get(PROFILE_CACHE_KEY)
    if cached is not None:
        return cached
    try:
        found = _load_profile()
    except DatabaseError:
        logger.warning("practice profile: database unavailable, showing no contact details")
        return Profile()
    except Exception:
        logger.exception("practice profile: could not be read, showing no contact details")
        return Profile()
    cache.set(PROFILE_CACHE_KEY, found, PROFILE_CACHE_SECONDS)
    return found


def _drop_cached_copies() -> None:
    from education.cache import invalidate_pages
    from scheduling.selectors import invalidate_booked_times

    cache.delete(PROFILE_CACHE_KEY)
    # Cached public pages carry the details in their footer: the article pages and /book/, and
    # the times page and booking form, kept with the slot lists.
    invalidate_pages()
    invalidate_booked_times()


def forget_profile() -> None:
    """Drop the cached details now, and again once the saving transaction commits, so that a copy
    another request read from the old row in between does not survive."""
    _drop_cached_copies()
    transaction.on_commit(_drop_cached_copies)
