"""The second step of staff sign-in and each staff member's own sign-in methods.

verify:          after the password: a code (app or recovery) or a passkey.
setup:           an account without a second factor: an authenticator app (QR code drawn here as
                 inline SVG) or a passkey. Also "add another" from the devices page.
recovery_codes:  ten single-use codes, shown once when created.
devices:         see and remove one's own authenticator apps and passkeys.
Changing one's sign-in methods asks for a second-factor check in the last few minutes (`confirm`).
"""

from base64 import b32encode
from functools import wraps
from urllib.parse import urlencode

import segno
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from clinic.staff_auth import services
from clinic.staff_auth.forms import AppCodeForm, CodeForm


def _login_url(request) -> str:
    return f"{reverse('admin:login')}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def _next_url(request) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def password_signed_in(view):
    """Staff who gave their password (the second factor may be still to come)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.is_staff_member(request.user):
            return HttpResponseRedirect(_login_url(request))
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def fully_signed_in(view):
    """Staff who passed the second factor (what every admin page asks)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not admin.site.has_permission(request):
            return HttpResponseRedirect(_login_url(request))
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _context(request, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, "next": _next_url(request), **extra}


def _passkeys(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


@password_signed_in
def verify(request, *, recheck: bool = False):
    """After the password: the second factor. With `recheck`, a fresh check of a verified session."""
    user = request.user
    next_url = _next_url(request)
    if services.is_verified(user) and (not recheck or services.check_is_fresh(request)):
        return redirect(next_url)
    if not services.has_second_factor(user) and services.recovery_codes_left(user) is None:
        return redirect(_with_next("staff_auth:setup", next_url))
    if request.method == "POST":
        if services.is_locked_out(request):
            services.lock_out(request)
            return redirect("admin:login")
        form = CodeForm(request.POST)
        if form.is_valid() and services.is_throttled(user, form.cleaned_data["otp_token"]):
            # Not checked (so not counted): django-otp makes each try after a wrong one wait longer.
            form.add_error("otp_token", services.MSG_TOO_FAST)
        elif form.is_valid():
            device = services.second_factor_verify(request=request, code=form.cleaned_data["otp_token"])
            if device is not None:
                services.second_factor_passed(request, device)
                if services.device_kind(device) == "recovery codes":
                    left = services.recovery_codes_left(user)
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. "
                        "Create new ones on your sign-in methods page.",
                    )
                return redirect(next_url)
            if services.count_failure(request):
                return redirect("admin:login")
            form.add_error("otp_token", services.MSG_WRONG_CODE)
    else:
        form = CodeForm()
    title = "Confirm it is you" if recheck else "Second step: confirm it is you"
    return render(
        request,
        "staff_auth/verify.html",
        _context(request, title, form=form, has_passkeys=_passkeys(user).exists(), recheck=recheck),
    )


def _qr_code_svg(device: TOTPDevice) -> str:
    # Drawn here, as inline SVG: the secret key never leaves the site (no image service), and a
    # white background keeps it scannable in the admin's dark theme.
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", omitsize=False
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup of a URL it encoded, no user text


def _grouped_key(device: TOTPDevice) -> str:
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@password_signed_in
def setup(request):
    """Set up an authenticator app or a passkey: the first one, or another (after a fresh check)."""
    user = request.user
    next_url = _next_url(request)
    adding = services.has_second_factor(user) or services.recovery_codes_left(user) is not None
    if adding and not services.check_is_fresh(request):
        return redirect(_with_next("staff_auth:confirm", request.get_full_path()))
    device = services.pending_authenticator_app(user)
    if request.method == "POST":
        form = AppCodeForm(request.POST)
        if form.is_valid() and services.authenticator_app_confirm(
            request=request, device=device, code=form.cleaned_data["otp_token"]
        ):
            messages.success(request, "Your authenticator app is set up.")
            if services.recovery_codes_left(user) is None:
                return redirect(_with_next("staff_auth:recovery-codes", next_url))
            return redirect("staff_auth:devices")
        if form.is_valid():
            # Not counted toward the lockout: the key is on this page, so a wrong code here is a
            # typo, never a guess (django-otp still slows down repeated wrong codes).
            form.add_error("otp_token", services.MSG_WRONG_CODE)
    else:
        form = AppCodeForm()
    after_passkey = (
        _with_next("staff_auth:recovery-codes", next_url)
        if services.recovery_codes_left(user) is None
        else reverse("staff_auth:devices")
    )
    return render(
        request,
        "staff_auth/setup.html",
        _context(
            request,
            "Add a second factor" if adding else "Set up your second factor",
            form=form,
            adding=adding,
            qr_code=_qr_code_svg(device),
            key=_grouped_key(device),
            after_passkey=after_passkey,
        ),
    )


@fully_signed_in
def recovery_codes(request):
    """GET: how many are left. POST: ten new ones (the old ones stop working), shown this once."""
    left = services.recovery_codes_left(request.user)
    if request.method == "POST":
        # The first set right after setup needs no second check; replacing a set does.
        if left is not None and not services.check_is_fresh(request):
            return redirect(_with_next("staff_auth:confirm", request.get_full_path()))
        codes = services.recovery_codes_issue(request=request)
        return render(
            request,
            "staff_auth/recovery_codes.html",
            _context(request, "Your recovery codes", codes=codes, left=len(codes)),
        )
    return render(
        request,
        "staff_auth/recovery_codes.html",
        _context(request, "Recovery codes", codes=None, left=left, fresh=services.check_is_fresh(request)),
    )


@fully_signed_in
def devices(request):
    user = request.user
    return render(
        request,
        "staff_auth/devices.html",
        _context(
            request,
            "Your sign-in methods",
            apps=TOTPDevice.objects.filter(user=user, confirmed=True).order_by("created_at"),
            passkeys=_passkeys(user),
            recovery_left=services.recovery_codes_left(user),
            fresh=services.check_is_fresh(request),
        ),
    )


_KINDS = {"app": TOTPDevice, "passkey": WebAuthnCredential}


@require_POST
@fully_signed_in
def device_remove(request, kind: str, pk: int):
    model = _KINDS.get(kind)
    if model is None:
        raise Http404
    device = model.objects.filter(user=request.user, confirmed=True, pk=pk).first()
    if device is None:
        raise Http404
    if not services.check_is_fresh(request):
        return redirect(_with_next("staff_auth:confirm", reverse("staff_auth:devices")))
    if services.device_remove(request=request, device=device):
        messages.success(request, f"The {services.device_kind(device)} “{device.name}” was removed.")
    else:
        messages.error(request, services.MSG_LAST_DEVICE)
    return redirect("staff_auth:devices")


@require_POST
def sign_out(request):
    """Sign out from the second step too (the admin's own log-out page asks for the second factor)."""
    logout(request)
    return redirect("admin:login")
