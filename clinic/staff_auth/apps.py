from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the clinic's site as `admin.site`, so every ModelAdmin and custom
    admin page (wrapped in `admin_site.admin_view`) asks for the second factor."""

    default = False  # named in INSTALLED_APPS in place of "django.contrib.admin"
    default_site = "clinic.staff_auth.sites.StaffAdminSite"


class StaffAuthConfig(AppConfig):
    default = True
    name = "clinic.staff_auth"
    label = "staff_auth"
    verbose_name = "Staff sign-in"
