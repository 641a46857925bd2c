"""The site's urls plus one baseline page, for bench.settings only.

The baseline is a fixed small HTML page that goes through the same middleware as every page
(security headers, CSP, sessions, CSRF, axes) but does no template or database work, so each
page's throughput divided by the baseline's says what the page itself costs on this machine.
"""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from clinic.urls import handler500  # noqa: F401
from clinic.urls import urlpatterns as site_urlpatterns

BASELINE_PATH = "/bench/baseline/"
BASELINE_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head>'
    "<body><main><h1>Baseline</h1><p>A fixed page for the load benchmark.</p></main></body></html>"
)


@require_safe
def baseline(request):
    return HttpResponse(BASELINE_HTML)


urlpatterns = [path(BASELINE_PATH.strip("/") + "/", baseline, name="bench-baseline"), *site_urlpatterns]
