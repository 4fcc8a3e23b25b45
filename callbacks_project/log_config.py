"""The web's LOGGING, plain or JSON (LOG_FORMAT), and the JSON formatter that the worker and beat
put on Celery's handlers too (callbacks_project/celery.py).

A JSON line is one object: time, level, logger, message, then request_id, callback_id and task_id
where known, and exc_info (the traceback) or stack_info when there is one. Nothing else: Django's
4xx lines carry the request on the record, and its path may hold the old events URL's secret,
which only the message is redacted of."""

from typing import Any

from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ["plain", "json"]
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FIELDS = (
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "callback_id",
    "task_id",
    "exc_info",
    "stack_info",
)


class JsonLines(JsonFormatter):
    """One JSON object per line, with FIELDS only, in that order; the time in UTC (ISO 8601)."""

    def __init__(self) -> None:
        super().__init__(
            ["levelname", "name", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {name: log_data[name] for name in FIELDS if name in log_data}


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING: one console handler, redacting (callbacks_project/log_filters.py), and
    with json, carrying the request's and the callback's ids."""
    filters = ["redact_secrets"] + (["log_context"] if log_format == "json" else [])
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": "callbacks_project.log_config.JsonLines"},
        },
        "filters": {
            "redact_secrets": {"()": "callbacks_project.log_filters.RedactSecrets"},
            "log_context": {"()": "callbacks_project.log_filters.LogContext"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": filters,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # Django's own loggers (its 4xx lines, runserver's request lines) go through the same
        # handler, so they are redacted too, DEBUG or not.
        "loggers": {
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
