"""Keep manage-link tokens (and staff calendar-feed tokens) out of the logs.

A token in `/book/manage/<token>/` opens a patient's booking, so it is a secret. Django's request
log names the path of every 4xx and 5xx answer ("Not Found: /book/manage/...", "Too Many
Requests: ..."), and a throttled or expired link can be a real one. This filter, set on those
loggers in settings.LOGGING, blanks the token before any handler sees the record.
"""

import logging
import re

# A patient's manage link, and a staff member's calendar feed
# (/admin/scheduling/appointment/feed/<token>.ics).
MANAGE_TOKEN = re.compile(r"(/book/manage/|/appointment/feed/)[^/?#\s\"']+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return MANAGE_TOKEN.sub(REDACTED, text)


class RedactManageTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
