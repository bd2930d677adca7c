"""Credentials never reach the logs: embed tokens and widget sessions are redacted.

An embed token may still arrive once in a URL (a plain iframe's `?token=`), and a request
line is what access logs keep. `RedactSecretsFilter` cleans Django's log records (configured
on the console handler in settings), and `RedactingGunicornLogger` cleans gunicorn's access
log (gunicorn.conf.py at the project root names it).
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

SECRET_PARAMETERS = ("token", "widget_session", "lpw_session")
_PATTERN = re.compile(rf"(?P<name>\b(?:{'|'.join(SECRET_PARAMETERS)}))=(?P<value>[^&\s;\"']+)")


def redact(text: str) -> str:
    return _PATTERN.sub(lambda match: f"{match['name']}=[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redacted_environ(environ: dict) -> dict:
    """A copy of a WSGI environ whose logged parts carry no credential."""
    cleaned = dict(environ)
    for key in ("RAW_URI", "QUERY_STRING", "HTTP_REFERER"):
        if isinstance(cleaned.get(key), str):
            cleaned[key] = redact(cleaned[key])
    return cleaned


class RedactingGunicornLogger(GunicornLogger):
    def access(self, resp, req, environ, request_time):
        super().access(resp, req, redacted_environ(environ), request_time)
