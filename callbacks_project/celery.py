"""The Celery app of web, worker and beat: its settings are Django's CELERY_* settings."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    task_postrun,
    task_prerun,
    worker_ready,
)
from celery.utils.log import get_multiprocessing_logger

from .log_config import JsonLines
from .log_filters import LogContext, RedactSecrets
from .worker_heartbeat import Heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callbacks_project.settings")

app = Celery("callbacks_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["worker"].add(Heartbeat)


@after_setup_logger.connect
@after_setup_task_logger.connect
def configure_celery_log_handlers(logger: logging.Logger, **kwargs: Any) -> None:
    """Worker and beat write through handlers Celery makes itself, not Django's LOGGING: the root
    logger's (worker_hijack_root_logger replaces Django's), the task logger's and the
    multiprocessing logger's. Each gets the filter the web's handlers have and, with
    LOG_FORMAT=json, the web's JSON lines with the request's, callback's and task's ids."""
    from django.conf import settings

    loggers = [logger, get_multiprocessing_logger()]
    for handler in [handler for each in loggers if each for handler in each.handlers]:
        _add_filter(handler, RedactSecrets)
        if settings.LOG_FORMAT == "json":
            _add_filter(handler, LogContext)
            handler.setFormatter(JsonLines())


def _add_filter(handler: logging.Handler, kind: type[logging.Filter]) -> None:
    if not any(isinstance(existing, kind) for existing in handler.filters):
        handler.addFilter(kind())


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(**kwargs: Any) -> None:
    """Reuse a thread's connection across tasks, as Django does across requests (CONN_MAX_AGE,
    CONN_HEALTH_CHECKS): a new PostgreSQL session per callback costs more than the callback."""
    from django.db import close_old_connections

    close_old_connections()


@worker_ready.connect
def serve_worker_metrics(**kwargs: Any) -> None:
    """The worker's Prometheus metrics (callbacks/metrics.py), when WORKER_METRICS_PORT is set."""
    from django.conf import settings
    from prometheus_client import start_http_server

    if settings.WORKER_METRICS_PORT:
        start_http_server(settings.WORKER_METRICS_PORT, addr=settings.WORKER_METRICS_ADDRESS)
