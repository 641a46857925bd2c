"""gunicorn's logger with secret links blanked (set by gunicorn.conf.py).

The access log writes every request's line, path, query, referrer and headers; a manage link's
path opens a patient's booking, and a staff calendar feed's path lists the appointments, so both
are blanked in every field before the line is formatted (the referrer too: a page under a manage
link sends it along with its own stylesheet's request). gunicorn's error log names the path of a
request that failed; it gets the same filter as Django's request log.
"""

from gunicorn.glogging import Logger

from clinic.logging import RedactManageTokens, redact


def redact_atoms(atoms: dict) -> dict:
    """The access log's fields (gunicorn calls them atoms), with every secret link blanked."""
    return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        self.error_log.addFilter(RedactManageTokens())

    def atoms(self, resp, req, environ, request_time):
        return redact_atoms(super().atoms(resp, req, environ, request_time))
