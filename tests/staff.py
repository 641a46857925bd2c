"""How tests sign staff in to admin: one place, so the way staff sign in can change in one place."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff_auth.services import FRESH_CHECK_SESSION_KEY


def authenticator_app(user) -> TOTPDevice:
    """The user's confirmed authenticator app (created on first use), as a test's phone would hold."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)


def staff_login(client, user):
    """Sign `user` in on the test client as a staff member who passed every sign-in step:
    the password (force_login) and the second factor (a confirmed authenticator app, just used)."""
    client.force_login(user)
    device = authenticator_app(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[FRESH_CHECK_SESSION_KEY] = time.time()
    session.save()
    return client


def next_code(device: TOTPDevice) -> str:
    """The code the authenticator app shows now, as the server will accept it: a device refuses a
    code from a time step it already accepted, so after a sign-in in the same 30 seconds this is
    the next step's code (within the device's tolerance of one step)."""
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    if step > totp.t() + device.tolerance:
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)
        return next_code(device)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"
