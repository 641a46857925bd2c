"""The admin site: no admin page answers a session that has not passed the second factor.

`has_permission` is what `AdminSite.admin_view` asks before every admin page (model pages and
the custom ones each ModelAdmin wraps with it), as django-otp's OTPAdminSite does. The password
step is Django's admin login; after it, staff go on to the verify (or setup) page.
"""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse

from clinic.staff_auth import services


def second_step_url(next_url: str | None) -> str:
    url = reverse("staff_auth:verify")
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if next_url else url


class StaffAdminSite(admin.AdminSite):
    site_header = "Dr. Panagopoulos — clinic administration"
    site_title = "Clinic admin"
    index_title = "Articles and bookings"

    def has_permission(self, request):
        return super().has_permission(request) and services.is_verified(request.user)

    def login(self, request, extra_context=None):
        if (
            request.method == "GET"
            and services.is_staff_member(request.user)
            and not self.has_permission(request)
        ):
            # Password done, second factor not (or the page would have answered): go on to it.
            return HttpResponseRedirect(second_step_url(request.GET.get(REDIRECT_FIELD_NAME)))
        response = super().login(request, extra_context)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            # The password was right (LoginView checked `next`): the second factor comes next.
            return HttpResponseRedirect(second_step_url(response.url))
        return response
