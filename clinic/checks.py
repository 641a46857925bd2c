"""System checks of the clinic's own deployment promises (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Cache backends whose entries live in one process: each gunicorn worker would have its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """In production every app server must share one cache: slot lists are cached for up to 30
    seconds, so a time just booked or cancelled would show wrongly on the other workers, and the
    pause of inline mail sending after a mail server failure would hold in one worker only."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend}) lives in each worker process, so app servers do not "
            "share it: a time just booked or cancelled can show wrongly for up to 30 seconds.",
            hint="Set REDIS_URL (for example redis://127.0.0.1:6379/0), or CACHE_URL to a shared cache.",
            id="clinic.W001",
        )
    ]
