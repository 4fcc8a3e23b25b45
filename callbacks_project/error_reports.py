"""What Django shows of a failed request, on the DEBUG page and in the admins' error reports:
never a secret (redaction.py)."""

from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from .redaction import redact


class RedactingReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, on under DEBUG too, that also redacts inside the values it shows: the
    password in CELERY_BROKER_URL (its name says nothing secret), DATABASE_URL among runserver's
    environment variables, the events secret in a path (PATH_INFO, RAW_URI)."""

    def is_active(self, request: HttpRequest | None) -> bool:
        # Django hides sensitive_variables and sensitive_post_parameters only when DEBUG is off;
        # a DEBUG page is read over a shoulder or pasted into a ticket all the same.
        return True

    def cleanse_setting(self, key: int | str, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        return redact(cleansed) if isinstance(cleansed, str) else cleansed


class RedactingExceptionReporter(ExceptionReporter):
    """The page also prints the request's path and the exception's message, which no filter sees:
    the finished page is redacted as a whole."""

    def get_traceback_html(self) -> SafeString:
        # Only secrets are replaced, by text with nothing to escape: what was safe stays safe.
        return mark_safe(redact(super().get_traceback_html(), html=True))

    def get_traceback_text(self) -> SafeString:
        return mark_safe(redact(super().get_traceback_text()))
