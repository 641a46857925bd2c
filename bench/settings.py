"""Settings of the bench server: the production settings, plus the baseline view's urls.

bench.run sets the environment before Django reads it (DJANGO_DEBUG=false, a secret key made
for the run, the bench database, Redis db 5, no SSL redirect on plain-HTTP loopback), so
everything else (middleware, WhiteNoise, CSP, cache) is exactly what production runs.
"""

import os

from clinic.settings import *  # noqa: F403
from clinic.settings import STATIC_ROOT

# The real urls plus /bench/baseline/; never in production urls.
ROOT_URLCONF = "bench.urls"

# collectstatic goes into a temporary directory of the run, never the project's staticfiles/.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT") or STATIC_ROOT

# The booking stream stands for many patients: each request names its own client in
# X-Forwarded-For, as production's proxy does, so the per-client booking limit counts each one.
CLIENT_ADDRESS_PROXY_COUNT = 1
