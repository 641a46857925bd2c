"""Passkeys (WebAuthn, django-otp-webauthn) as the second step after the password.

The library's views and JavaScript do the ceremonies; these subclasses add the clinic's rules:
staff only, adding a passkey to an account that already has a second factor needs a recent check,
and a passkey sign-in counts like a code (fresh check, lockout count cleared, audit).
"""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from clinic.audit import record
from clinic.models import AuditEvent
from clinic.staff_auth import services

MSG_CHECK_FIRST = "Confirm it is you with your second factor first, then add the passkey."


def relying_party_id(request) -> str:
    """The host name staff signed in at (Django checked it against ALLOWED_HOSTS)."""
    return urlsplit(f"//{request.get_host()}").hostname or ""


class PasskeyHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        # The origin of this request when its scheme and host name are configured: the port may
        # differ (runserver, the test server) without listing every one.
        own = f"{self.request.scheme}://{self.request.get_host()}"
        own_parts = urlsplit(own)
        for origin in settings.OTP_WEBAUTHN_ALLOWED_ORIGINS:
            parts = urlsplit(origin)
            if (parts.scheme, parts.hostname) == (own_parts.scheme, own_parts.hostname):
                return [own]
        return list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        # The library leaves the name empty; the devices page lists passkeys by it.
        device.name = f"Passkey added on {date_format(timezone.localdate(), 'DATE_FORMAT')}"
        return device


class NotStaff(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Staff sign-in only."
    default_code = "not_staff"


class StaffOnly:
    def get_user(self):
        user = self.request.user
        return user if services.is_staff_member(user) else None


class RegistrationRules(StaffOnly):
    def check_can_register(self):
        # The library already refuses an unverified session of an enrolled user; a verified one
        # must also be recent, as for every other change to one's sign-in methods.
        if services.has_second_factor(self.request.user) and not services.check_is_fresh(self.request):
            raise exceptions.NotVerified(detail=MSG_CHECK_FIRST)


class BeginRegistration(RegistrationRules, webauthn_views.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(RegistrationRules, webauthn_views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        first = not services.is_verified(self.request.user)
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            device = WebAuthnCredential.objects.get(
                pk=json.loads(response.content)["id"], user=self.request.user
            )
            record(self.request, AuditEvent.Action.ADD, obj=device, detail="passkey added")
            if first:
                services.second_factor_passed(self.request, device)
        return response


class BeginAuthentication(StaffOnly, webauthn_views.BeginCredentialAuthenticationView):
    def check_can_authenticate(self):
        if self.get_user() is None:
            raise NotStaff()


class CompleteAuthentication(StaffOnly, webauthn_views.CompleteCredentialAuthenticationView):
    def check_can_authenticate(self):
        if self.get_user() is None:
            raise NotStaff()
        if services.is_locked_out(self.request):
            services.lock_out(self.request)
            raise NotStaff(detail="Too many failed attempts. Try again later.", code="locked_out")

    def complete_auth(self, device):
        services.second_factor_passed(self.request, device)

    def get_success_url(self):
        return self.get_redirect_url() or reverse("admin:index")


# The library's urls with these views (its JavaScript finds them by these names).
app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path("registration/complete/", CompleteRegistration.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", BeginAuthentication.as_view(), name="credential-authentication-begin"),
    path(
        "authentication/complete/",
        CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
