"""Log filters: what every handler of every process applies before it writes a line (Django's
LOGGING puts them on the web's handlers, callbacks_project/celery.py on the worker's and beat's)."""

import logging

from celery import current_task

from callbacks import log_context

from .redaction import redact

_FORMATTER = logging.Formatter()


class RedactSecrets(logging.Filter):
    """Masks the secrets (redaction.py) in every log line: its message, its traceback and its
    stack. The events secret was part of a URL, and Django logs the path of a request it answered
    4xx (and runserver every path); an exception may carry a secret in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit: the handler reports it, redacted
            record.msg, record.args = redact(str(record.msg)), None
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        _redact_traceback(record)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _redact_traceback(record: logging.LogRecord) -> None:
    # Formatters print the traceback text cached on the record (exc_text) when there is one.
    if record.exc_info and not record.exc_text:
        record.exc_text = _FORMATTER.formatException(record.exc_info)
    if not record.exc_text:
        return
    redacted = redact(record.exc_text)
    if redacted != record.exc_text:
        # The exception itself still holds the secret: a formatter that renders exc_info again
        # instead of reading the text (a JSON formatter, say) must find nothing to render.
        record.exc_text, record.exc_info = redacted, None


class LogContext(logging.Filter):
    """Copies what the line is about onto it: the request id and the callback id where known
    (callbacks/log_context.py), and the Celery task's id inside a task. A JSON line carries them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in log_context.current().items():
            setattr(record, name, value)
        task_id = current_task.request.id if current_task else None
        if task_id:
            record.task_id = task_id
        return True
