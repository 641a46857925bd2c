"""gunicorn's settings for the clinic site: `gunicorn -c gunicorn.conf.py clinic.wsgi`.

Each can be overridden on the command line or in GUNICORN_CMD_ARGS.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A request that hangs (a stuck database) frees its worker after this long.
timeout = 30
# The access log goes to stdout, with manage-link and staff-feed tokens blanked in every field.
accesslog = "-"
logger_class = "clinic.access_log.RedactingLogger"
# The client's address as the proxy saw it, not the proxy's own, when DJANGO_BEHIND_PROXY is set.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
