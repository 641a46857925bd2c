"""A page rendered once for everyone, with each visitor's own tokens filled in per request.

The booking form (step 3) for a given time is the same for every visitor but for two values: the
CSRF token (masked anew for every response) and the signed form token (it carries the time the
form was shown). The page is rendered with a fixed stand-in for each, kept in the cache, and each
request puts its own values in their place: the cost of a cache read instead of a full render
(crispy's form layout, about 20 ms of CPU).

Nothing a visitor typed is ever in the shared page: it is rendered from validated values only
(state, zone, an offered time), so the stand-ins cannot be forged by input either.
"""

from django.middleware.csrf import get_token

from scheduling.public.forms import new_form_token

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
    filled = page.replace(CSRF_TOKEN_STAND_IN.encode(), get_token(request).encode())
    return filled.replace(FORM_TOKEN_STAND_IN.encode(), new_form_token().encode())
