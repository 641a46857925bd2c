"""Settings for the clinic site, read from the environment.

Defaults make `make run` work on a laptop (SQLite, console email, DEBUG on).
`DJANGO_DEBUG=false` is production: it needs DJANGO_SECRET_KEY and turns on the
HTTPS hardening that `manage.py check --deploy` looks for.
"""

import zoneinfo
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Core ---------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=false (production). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [],
)
# Absolute links in emails and calendar files (no request to build them from).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django's admin with the clinic's admin site: no admin page answers before a second factor.
    "clinic.staff_auth.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_include_bootstrap",
    "clinic",
    "education",
    "scheduling",
    # After the django-otp apps: its admin module takes their device admins (which show secrets) away.
    "clinic.staff_auth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for browsers that accept it (static files come precompressed from WhiteNoise).
    # Django's GZipMiddleware pads each response with random bytes against BREACH, and CSRF tokens
    # are masked anew on every page, so a secret in a page cannot be guessed by its compressed size.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language from its address: /es/... is Spanish, everything else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the form: one in another charset than UTF-8 is a 400 (clinic/middleware.py).
    "clinic.middleware.RefuseUnreadableForms",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): which second factor, if any, this session passed.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "clinic.context_processors.practice",
                "clinic.context_processors.languages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer in at a time: a transaction that starts by reading and then writes
    # fails at once ("database is locked") when another wrote first. Taking the write lock at
    # BEGIN makes concurrent writers wait their turn instead (up to the 5-second timeout).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis in production, so every app server sees the same entries) ----

if env("CACHE_URL", default=""):
    CACHES = {"default": env.cache("CACHE_URL")}
elif env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "clinic.cache.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email ----------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Dr. Panagopoulos' office <office@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where "new booking" alerts go. They carry a time and an admin link, never patient details.
CLINIC_STAFF_EMAIL = env("CLINIC_STAFF_EMAIL", default="staff@localhost")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Time -------------------------------------------------------------------------

USE_TZ = True
# The clinic's own zone: weekly hours are in it, and admin shows times in it.
CLINIC_TIME_ZONE = env("CLINIC_TIME_ZONE", default="America/New_York")
try:
    zoneinfo.ZoneInfo(CLINIC_TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"CLINIC_TIME_ZONE={CLINIC_TIME_ZONE!r} is not an IANA time zone") from exc
TIME_ZONE = CLINIC_TIME_ZONE

# --- Languages (patients read English or Spanish; staff admin stays English) -----------

# English at today's unprefixed addresses, Spanish under /es/ (clinic/urls.py: i18n_patterns).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
USE_I18N = True
# locale/es/LC_MESSAGES/django.po, compiled by `make run`, `make test` and CI (the .mo is not committed).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The reader's choice from the language switch, remembered for a year; sent over HTTPS only in production.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG

# --- Static files (served by the site itself through WhiteNoise; no CDN) -----------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development and tests, serve straight from the apps' folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG

# --- Forms ----------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Authentication and admin -----------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Admin login guessing: lock a username+address pair out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A right password alone does not clear the count: wrong second-factor codes count toward the same
# lockout, and only a whole sign-in (password and second factor) clears it (clinic.staff_auth).
AXES_RESET_ON_SUCCESS = False
# Masked in axes' records of failed attempts: the code typed on the verify page.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
# The client's address and the username, read as everywhere else (see the Client address section).
AXES_CLIENT_IP_CALLABLE = "clinic.client.client_address"
AXES_USERNAME_CALLABLE = "clinic.client.sign_in_username"
AXES_VERBOSE = False
# Sessions exist only for staff (the public site uses none): idle timeout of 30 minutes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Staff sign-in: the second factor (django-otp; clinic.staff_auth) -----------------------

# Staff sign in with a password, then an authenticator app code (TOTP), a passkey (WebAuthn) or
# a single-use recovery code, before any admin page answers (clinic.staff_auth.sites).
OTP_TOTP_ISSUER = "Dr. Panagopoulos clinic"
# Passkeys only as the second step after the password (and the lockout that guards it).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Dr. Panagopoulos clinic"
# A passkey is bound to the host name staff sign in at, checked against ALLOWED_HOSTS first
# (localhost on a laptop: browsers refuse passkeys on a bare address such as 127.0.0.1).
OTP_WEBAUTHN_RP_ID_CALLABLE = "clinic.staff_auth.passkeys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "clinic.staff_auth.passkeys.PasskeyHelper"
# The origins a passkey answer may come from: the allowed hosts over HTTPS (and, in development,
# localhost on any port; PasskeyHelper matches the port of the request).
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host != "*"] + (
    ["http://localhost"] if DEBUG else []
)
# The library's own logger writes failed passkey ceremonies (no secrets: the answers are public keys).
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "clinic.staff_auth.passkeys"
# How recent a second-factor check must be to change one's own devices or recovery codes.
STAFF_FRESH_CHECK_SECONDS = 5 * 60

# --- Client address (rate limits, admin lockout and audit trail: clinic/client.py) ---

# Behind a reverse proxy (DJANGO_BEHIND_PROXY=true), the client's address is the one the proxy
# appends to X-Forwarded-For; DJANGO_PROXY_COUNT counts the proxies when there is a chain of them.
# Without a proxy, the header is the client's own word and is ignored.
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
CLIENT_ADDRESS_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)

# --- Security headers (every environment) ----------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The site's own origin only. `data:` images are Bootstrap's inline SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Production hardening (follows from DJANGO_DEBUG=false) --------------------------

if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Only behind a proxy that sets X-Forwarded-Proto itself (and strips the client's).
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Logging (never log patient details; messages carry ids and times only) ----------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "filters": {"manage_tokens": {"()": "clinic.logging.RedactManageTokens"}},
    # Every line that leaves the process has secret links blanked, whichever logger wrote it ...
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["manage_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # ... and the loggers known to name request paths blank them at the source, for every handler
    # (a CSRF refusal names the path it refused).
    "loggers": {
        name: {"filters": ["manage_tokens"]}
        for name in ("django.request", "django.server", "django.security.csrf")
    },
}

# --- The clinic's own settings ------------------------------------------------------

# Personal data of appointments that ended longer ago than this is purged.
APPOINTMENT_RETENTION_DAYS = env.int("APPOINTMENT_RETENTION_DAYS", default=365)
# Booking form posts one client may make in 10 minutes (counted in the database, for all app servers).
BOOKING_POSTS_PER_10_MINUTES = env.int("BOOKING_POSTS_PER_10_MINUTES", default=10)
# A booking form must be open at least this long before it is sent (bots post at once).
BOOKING_FORM_MIN_SECONDS = env.float("BOOKING_FORM_MIN_SECONDS", default=2)

# --- Busy calendars (the doctor's subscribed ICS feeds; manage.py sync_busy_calendars) --------

# A fetch gives up after this many seconds in all (connecting, waiting, reading).
BUSY_CALENDAR_TIMEOUT_SECONDS = env.float("BUSY_CALENDAR_TIMEOUT_SECONDS", default=10)
# A calendar file larger than this is refused.
BUSY_CALENDAR_MAX_BYTES = env.int("BUSY_CALENDAR_MAX_BYTES", default=5 * 1024 * 1024)
BUSY_CALENDAR_MAX_REDIRECTS = env.int("BUSY_CALENDAR_MAX_REDIRECTS", default=3)
# Addresses that resolve to loopback, private or link-local networks are refused (a calendar
# address must not reach the servers' own network); local development and tests allow them.
BUSY_CALENDAR_ALLOW_PRIVATE_ADDRESSES = env.bool("BUSY_CALENDAR_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)
# Staff get one email when a calendar has not synced for this long.
BUSY_CALENDAR_ALERT_AFTER_HOURS = env.int("BUSY_CALENDAR_ALERT_AFTER_HOURS", default=24)
