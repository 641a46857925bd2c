from django.urls import path

from clinic.staff_auth import views

app_name = "staff_auth"

urlpatterns = [
    path("", views.devices, name="devices"),
    path("verify/", views.verify, name="verify"),
    path("confirm/", views.verify, {"recheck": True}, name="confirm"),
    path("setup/", views.setup, name="setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("<str:kind>/<int:pk>/remove/", views.device_remove, name="device-remove"),
    path("sign-out/", views.sign_out, name="sign-out"),
]
