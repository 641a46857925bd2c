"""Who is asking: the client's address and the username of an admin sign-in attempt, read one way
for the rate limits (scheduling/public/throttle.py), the admin lockout (django-axes) and the audit trail.

Behind a reverse proxy the peer is the proxy, so every visitor would share its address: one
visitor's failed sign-ins would lock every staff member out, and one visitor's booking posts
would use up everyone's rate limit. The proxy appends the address it saw to X-Forwarded-For;
with settings.CLIENT_ADDRESS_PROXY_COUNT proxies in front (DJANGO_BEHIND_PROXY=true means one),
the client is that many entries from the right. Entries further left come from the client
itself and are never trusted.
"""

import ipaddress

from django.conf import settings


def _valid(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def client_address(request) -> str:
    """The client's IP address; "" when there is none worth the name (then the peer's is used,
    and when that is missing too, "")."""
    peer = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.CLIENT_ADDRESS_PROXY_COUNT
    if proxies:
        forwarded = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(forwarded) >= proxies:
            # Something that is not an address there was not written by our proxy: the peer then.
            return _valid(forwarded[-proxies]) or peer
    return peer


# django-axes stores the username of a failed attempt in a column of 255 characters.
AXES_USERNAME_MAX_LENGTH = 255


def sign_in_username(request, credentials: dict | None = None) -> str | None:
    """The username of an admin sign-in attempt, as django-axes records it: cut to what its
    table holds, so an overlong one is a wrong password like any other (and still counts toward
    the lockout) instead of a database error."""
    if credentials is not None:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return username[:AXES_USERNAME_MAX_LENGTH] if isinstance(username, str) else username
