"""A probe loaded into real Celery processes: it logs the Exolve API key and the events secret
every way a line can carry them, so a test can look for them in the process's output.

Loaded into a worker with `-I tests.system.redaction_probe` (the `tests.redaction_probe` task), and
into beat as its app, `celery -A tests.system.redaction_probe beat` (the project's app, plus a
probe when beat starts). The secrets are read from the process's own settings: they are never a
task argument.
"""

import logging
import sys

from celery.signals import beat_init
from celery.utils.log import get_task_logger

# The test hooks every test worker loads: with TEST_WORKER_QUEUE set, what this process sends (the
# sweeper beat sends as it starts) goes to the test's own queue.
import tests.system.worker_process  # noqa: F401
from callbacks_project.celery import app

__all__ = ["app"]

PROBE = "redaction probe"
TASK = "tests.redaction_probe"


def _secrets():
    from django.conf import settings

    return settings.EXOLVE_API_KEY, settings.EXOLVE_EVENTS_SECRET


def log_the_secrets(logger, where):
    """In a message, in its arguments, and in a traceback."""
    key, secret = _secrets()
    message = f"{PROBE} {where} message: {key} {secret}"
    logger.warning(message)
    logger.warning("%s %s args: %s %s", PROBE, where, key, secret)
    try:
        raise RuntimeError(f"{PROBE} {where} traceback: {key} {secret}")
    except RuntimeError:
        logger.exception("%s %s exception", PROBE, where)


@app.task(name=TASK)
def probe():
    log_the_secrets(get_task_logger(__name__), "task logger")
    log_the_secrets(logging.getLogger(__name__), "module logger")
    key, secret = _secrets()
    sys.stdout.write(f"{PROBE} stdout: {key} {secret}\n")  # the worker logs what tasks print
    # Celery's own line about a failed task, with its traceback.
    raise RuntimeError(f"{PROBE} task failure: {key} {secret}")


@beat_init.connect(weak=False)
def probe_beat(**kwargs):
    log_the_secrets(logging.getLogger(__name__), "beat")
