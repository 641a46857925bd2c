"""A rate limit shared by every app server: fixed windows counted in the database.

Keys are HMACs of (action, client address), so no address is stored in the clear.
"""

import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from clinic.client import client_address
from clinic.db import without_waiting_for_disk
from scheduling.models import Throttle


def throttle_key(action: str, address: str) -> str:
    message = f"{action}\0{address}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, "sha256").hexdigest()


def allow(request, *, action: str, limit: int, per: timedelta, now: datetime | None = None) -> bool:
    """Count one hit of `action` by this client; False when it is over `limit` in the current window."""
    return allow_key(throttle_key(action, client_address(request)), limit=limit, per=per, now=now)


# One statement counts the hit, or starts a new window when the last one is over, and returns
# the count: the database does it atomically, so concurrent hits need no lock and no retry.
# (Django's bulk_create(update_conflicts=True) can set a value on conflict but not add 1.)
# PostgreSQL and SQLite both speak this upsert.
COUNT_HIT_SQL = """
    INSERT INTO scheduling_throttle ("key", "window_start", "count") VALUES (%s, %s, 1)
    ON CONFLICT ("key") DO UPDATE SET
        "count" = CASE WHEN scheduling_throttle."window_start" <= %s THEN 1
                       ELSE scheduling_throttle."count" + 1 END,
        "window_start" = CASE WHEN scheduling_throttle."window_start" <= %s THEN excluded."window_start"
                              ELSE scheduling_throttle."window_start" END
    RETURNING "count"
"""


def allow_key(key: str, *, limit: int, per: timedelta, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    window_over_before = adapt(now - per)
    # A count forgotten in a crash lets a client one more try: no reason to wait for the disk.
    with without_waiting_for_disk(), connection.cursor() as cursor:
        cursor.execute(COUNT_HIT_SQL, [key, adapt(now), window_over_before, window_over_before])
        (hits,) = cursor.fetchone()
    return hits <= limit


# Every window is 10 minutes at most; a counter older than this counts nothing any more.
COUNTER_KEPT = timedelta(days=1)


def counters_purge(*, now: datetime | None = None) -> int:
    """Delete the counters of windows long over (run daily with the appointments' purge), so
    nothing about a visitor, not even a keyed hash of their address, is kept for long.
    Returns how many went."""
    deleted, _ = Throttle.objects.filter(window_start__lt=(now or timezone.now()) - COUNTER_KEPT).delete()
    return deleted
