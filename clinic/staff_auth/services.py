"""The second factor's writes and checks: verify a code, set up an authenticator app, recovery
codes, remove a device, a superuser's reset. Each change is written to the audit trail by what
happened (never a key or a code).

A code is checked against the devices of the signed-in user only. A wrong one counts toward
django-axes' lockout of the username and address (as a wrong password does); a whole sign-in
(password and second factor) clears the count.
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from clinic.audit import record
from clinic.models import AuditEvent

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_APP_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# When this session last passed a second-factor check (a Unix time): changing one's own devices
# or recovery codes asks for a recent one, so an unattended session cannot take over the account.
FRESH_CHECK_SESSION_KEY = "staff_auth_checked_at"

MSG_WRONG_CODE = "That code is not right, or it was already used. Try the next code from your app."
MSG_TOO_FAST = "Too many wrong codes in a row. Wait a few seconds, then try the next code."
MSG_LAST_DEVICE = (
    "This is your only authenticator app or passkey. Add another one first: "
    "every staff account keeps a second factor."
)


def is_staff_member(user) -> bool:
    return user.is_authenticated and user.is_active and user.is_staff


def is_verified(user) -> bool:
    """Whether this session passed the second factor (django_otp's middleware sets it up)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def has_second_factor(user) -> bool:
    """An authenticator app or a passkey (recovery codes alone are a way back in, not a factor)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def check_is_fresh(request) -> bool:
    checked_at = request.session.get(FRESH_CHECK_SESSION_KEY)
    return (
        is_verified(request.user)
        and checked_at is not None
        and time.time() - checked_at <= settings.STAFF_FRESH_CHECK_SECONDS
    )


def second_factor_passed(request, device) -> None:
    """Mark the session as having passed `device` just now, and clear the lockout count of this
    username and address (the whole sign-in succeeded)."""
    # A new session key for the session that can now see patients (as login() does for the password).
    request.session.cycle_key()
    otp_login(request, device)
    request.session[FRESH_CHECK_SESSION_KEY] = time.time()
    axes_reset(ip=get_client_ip_address(request), username=request.user.get_username())


def _credentials(user) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def is_locked_out(request) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(request.user))


def lock_out(request) -> None:
    """End the half-signed-in session; django-axes' middleware answers with its lockout page."""
    credentials = _credentials(request.user)
    logout(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials


def count_failure(request) -> bool:
    """Count a wrong code toward the lockout, as a wrong password is. True when now locked out."""
    user_login_failed.send(sender=__name__, credentials=_credentials(request.user), request=request)
    if getattr(request, "axes_locked_out", False):
        lock_out(request)
        return True
    return False


def normalize_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _code_devices(user, code: str):
    """Six digits are an authenticator app's code; letters and digits a recovery code."""
    model = TOTPDevice if code.isdigit() else StaticDevice
    return model.objects.filter(user=user, confirmed=True)


def second_factor_verify(*, request, code: str):
    """Check `code` against the user's authenticator apps, or their recovery codes.

    Returns the device that accepted it (a recovery code is used up), or None. Each device
    refuses a code it already accepted and slows down after wrong ones (django-otp).
    """
    code = normalize_code(code)
    if not code:
        return None
    with transaction.atomic():
        for device in _code_devices(request.user, code).select_for_update():
            if device.verify_token(code):
                return device
    return None


def is_throttled(user, code: str) -> bool:
    """True while the devices this code is for wait after wrong codes (django-otp's throttling)."""
    devices = list(_code_devices(user, normalize_code(code)))
    return bool(devices) and not any(device.verify_is_allowed()[0] for device in devices)


def pending_authenticator_app(user) -> TOTPDevice:
    """The authenticator app being set up (unconfirmed until a code from it is entered)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_APP_NAME, confirmed=False)


def authenticator_app_confirm(*, request, device: TOTPDevice, code: str) -> bool:
    """Confirm the pending authenticator app with a code it shows; then the session has passed it.

    Returns False (nothing changes) for a wrong code.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
        if not device.verify_token(normalize_code(code)):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(request, AuditEvent.Action.ADD, obj=device, detail="authenticator app added")
    second_factor_passed(request, device)
    return True


def recovery_codes_issue(*, request) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones; returns them to show once."""
    user = request.user
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        record(request, AuditEvent.Action.ADD, obj=device, detail=f"{len(codes)} recovery codes created")
    return codes


def recovery_codes_left(user) -> int | None:
    """How many recovery codes are left, or None when the user never created any."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return None if device is None else device.token_set.count()


def device_remove(*, request, device) -> bool:
    """Remove one of the user's own authenticator apps or passkeys. Refused (False) for the last one."""
    user = request.user
    with transaction.atomic():
        factors = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *WebAuthnCredential.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        if len(factors) <= 1:
            return False
        record(request, AuditEvent.Action.DELETE, obj=device, detail=f"{device_kind(device)} removed")
        device.delete()
    return True


def second_factor_reset(*, request, user) -> int:
    """A superuser's reset of another staff member's second factor: every device goes, and their
    next sign-in (or next page) leads to setup. Returns how many devices were removed.

    `request` is None from the command line (`manage.py reset_second_factor`): the audit event
    then names no user or address.
    """
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        detail = f"second factor reset ({len(devices)} devices)"
        if request is None:
            AuditEvent.objects.create(
                action=AuditEvent.Action.ACTION,
                object_type=user._meta.label_lower,
                object_id=str(user.pk),
                detail=f"{detail} from the command line",
            )
        else:
            record(request, AuditEvent.Action.ACTION, obj=user, detail=detail)
    return len(devices)


def device_kind(device) -> str:
    if isinstance(device, TOTPDevice):
        return "authenticator app"
    if isinstance(device, WebAuthnCredential):
        return "passkey"
    return "recovery codes"
