"""A rate limit shared by every app server: fixed windows counted in the database.

Keys are HMACs of (action, client address), so no address is stored in the clear.
"""

import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from scheduling.models import Throttle


def client_address(request) -> str:
    # Behind the proxy the client is the last hop the proxy adds; without one, the peer address.
    if settings.THROTTLE_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def throttle_key(action: str, address: str) -> str:
    message = f"{action}\0{address}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, "sha256").hexdigest()


def allow(request, *, action: str, limit: int, per: timedelta, now: datetime | None = None) -> bool:
    """Count one hit of `action` by this client; False when it is over `limit` in the current window."""
    return allow_key(throttle_key(action, client_address(request)), limit=limit, per=per, now=now)


def allow_key(key: str, *, limit: int, per: timedelta, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    for _ in range(2):  # a lost race to create the row is retried once, as an update
        try:
            with transaction.atomic():
                row = Throttle.objects.select_for_update().filter(key=key).first()
                if row is None:
                    Throttle.objects.create(key=key, window_start=now, count=1)
                    return limit >= 1
                if now - row.window_start >= per:
                    Throttle.objects.filter(pk=row.pk).update(window_start=now, count=1)
                    return limit >= 1
                Throttle.objects.filter(pk=row.pk).update(count=F("count") + 1)
                return row.count + 1 <= limit
        except IntegrityError:
            continue
    return False
