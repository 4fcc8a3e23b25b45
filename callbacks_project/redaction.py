"""What no process writes and no page shows: the Exolve API key, the events secrets, the metrics
token, and the password of any URL (the broker's, the database's, the events URL set in Exolve's
cabinet). One function, applied by every log handler (log_filters.py) and every error page
(error_reports.py)."""

import re

from django.conf import settings
from django.utils.html import escape

REDACTED = "[redacted]"
# scheme://user:password@ — the user stays (it says which account), the password goes.
URL_PASSWORD = re.compile(r"\b(?P<head>[a-z][a-z0-9+.-]*://[^\s:/@]*):[^\s/@]+@", re.IGNORECASE)


def secrets() -> list[str]:
    values = (
        settings.EXOLVE_API_KEY,
        settings.EXOLVE_EVENTS_SECRET,
        settings.EXOLVE_EVENTS_LEGACY_SECRET,
        settings.METRICS_TOKEN,
    )
    return [value for value in values if value]


def redact(text: str, html: bool = False) -> str:
    """The text without the secrets; with html, also without them as an HTML page escapes them."""
    for secret in secrets():
        for form in (secret, escape(secret)) if html else (secret,):
            text = text.replace(form, REDACTED)
    if "://" in text:
        text = URL_PASSWORD.sub(rf"\g<head>:{REDACTED}@", text)
    return text
