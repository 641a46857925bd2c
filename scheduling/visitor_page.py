"""A page rendered once for everyone, with each visitor's own tokens filled in per request.

The booking form (step 3) for a given time is the same for every visitor but for two values: the
CSRF token (masked anew for every response) and the signed form token (it carries the time the
form was shown). The page is rendered with a fixed stand-in for each, kept in the cache, and each
request puts its own values in their place: the cost of a cache read instead of a full render
(crispy's form layout, about 20 ms of CPU).

Nothing a visitor typed is ever in the shared page: it is rendered from validated values only
(state, zone, an offered time), so the stand-ins cannot be forged by input either.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

from scheduling.forms import new_form_token

# Stand-ins: plain ASCII that HTML escaping leaves as it is, and that no page otherwise contains.
CSRF_TOKEN_STAND_IN = "csrf-token-stand-in-c9f1"
FORM_TOKEN_STAND_IN = "form-token-stand-in-4b7e"


def stand_ins() -> dict:
    """Values to render the shared page with: the `csrf_token` of its context, the form token."""
    return {"csrf_token": CSRF_TOKEN_STAND_IN, "form_token": FORM_TOKEN_STAND_IN}


def for_visitor(page: bytes, request) -> bytes:
    """The shared page with this visitor's CSRF token (which also makes the response set the CSRF
    cookie, as `{% csrf_token %}` does) and a fresh form token in place of the stand-ins."""
    # (The page has the CSRF token twice: the form's own, and crispy's.)
    filled = page.replace(CSRF_TOKEN_STAND_IN.encode(), csrf_token(request).encode())
    return filled.replace(FORM_TOKEN_STAND_IN.encode(), new_form_token().encode())


def csrf_token(request) -> str:
    """What `django.middleware.csrf.get_token(request)` returns and does, for less.

    Django draws each of the 64 random characters of a new visitor's token (32 of the secret, 32 of
    the mask that makes every page's token different) with its own call to the OS's random source:
    a tenth of what serving this page costs. Here each 32 come from one call, each character as
    uniform over the same alphabet (bytes past the last whole multiple of its length are
    dropped, so none is likelier). The rest is get_token's own protocol with the CSRF middleware:
    the secret in request.META (set there from the visitor's cookie when they have one), and the
    flag that makes the response set the cookie. tests/scheduling/test_cached_booking_pages.py
    books through the form with the CSRF check on, for a new and a returning visitor."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        secret = "".join(CSRF_ALLOWED_CHARS[i] for i in _random_indices(CSRF_SECRET_LENGTH))
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    # As django.middleware.csrf._mask_cipher_secret does: the mask, then the secret shifted by it.
    chars, mask = CSRF_ALLOWED_CHARS, _random_indices(CSRF_SECRET_LENGTH)
    return "".join(chars[i] for i in mask) + "".join(
        chars[(_INDEX[x] + i) % len(chars)] for x, i in zip(secret, mask, strict=True)
    )


_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# The largest multiple of the alphabet's length a byte can be under: bytes from it up are dropped.
_BYTE_LIMIT = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _random_indices(count: int) -> list[int]:
    """`count` positions in CSRF_ALLOWED_CHARS, each uniform, from the OS's random source."""
    indices = []
    while len(indices) < count:
        # A few bytes to spare: about one byte in 32 is dropped.
        indices += [b % len(CSRF_ALLOWED_CHARS) for b in secrets.token_bytes(count + 4) if b < _BYTE_LIMIT]
    return indices[:count]
