"""Second factors in admin: nobody reads another's secrets; a superuser can reset someone's.

django-otp's and django-otp-webauthn's own admin pages show TOTP keys (and a QR code of them)
and recovery codes, so they are taken away. Users gain a "second factor" column and a
superuser-only action that removes every device of the selected staff (audited).
"""

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from clinic.staff_auth import services

for app_label in ("otp_totp", "otp_static", "django_otp_webauthn"):
    for model in apps.get_app_config(app_label).get_models():
        if admin.site.is_registered(model):
            admin.site.unregister(model)

User = get_user_model()


class StaffUserAdmin(UserAdmin):
    list_display = [*UserAdmin.list_display, "second_factor"]
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        factors = [
            Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True))
            for model in (TOTPDevice, WebAuthnCredential)
        ]
        return super().get_queryset(request).annotate(has_second_factor=factors[0] | factors[1])

    @admin.display(boolean=True, description="Second factor", ordering="has_second_factor")
    def second_factor(self, obj):
        return obj.has_second_factor

    def has_reset_second_factor_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description="Reset the second factor of the selected users (they set it up again)",
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        reset = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(
                    request,
                    "Your own second factor is changed on your sign-in methods page, not reset here.",
                    messages.WARNING,
                )
                continue
            services.second_factor_reset(request=request, user=user)
            reset += 1
        if reset:
            self.message_user(
                request,
                f"Reset the second factor of {reset} user(s): they set up a new one at their next sign-in.",
                messages.SUCCESS,
            )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
