from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from clinic import views
from clinic.sitemaps import PagesSitemap
from education.sitemaps import SITEMAPS as EDUCATION_SITEMAPS

sitemaps = {"pages": PagesSitemap, **EDUCATION_SITEMAPS}

# The patients' pages: English at their unprefixed addresses, Spanish under /es/.
# Every request walks the patterns in order until one matches, so the most visited come first (the
# cached pages, served in a fraction of a millisecond, paid for every pattern tried before theirs).
# No address matches two of these patterns, so the order never changes which page answers.
urlpatterns = i18n_patterns(
    path("", views.home, name="home"),
    path("articles/", include("education.urls")),
    path("book/", include("scheduling.urls")),
    path("about/", views.about, name="about"),
    path("privacy/", views.privacy, name="privacy"),
    path("contact/", views.contact, name="contact"),
    prefix_default_language=False,
)

# Machines' pages, the language switch and staff admin: one address each, in English.
urlpatterns += [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("language/", views.set_language, name="set_language"),
    # Staff sign-in's second step and each staff member's sign-in methods (before admin's catch-all).
    path("admin/sign-in/", include("clinic.staff_auth.urls")),
    path("admin/sign-in/passkeys/", include("clinic.staff_auth.passkeys", namespace="otp_webauthn")),
    path("admin/", admin.site.urls),
]

handler400 = "clinic.views.bad_request"
handler500 = "clinic.views.server_error"
