"""LOG_FORMAT=json with the real processes: a Celery worker and Celery beat, started with --quiet as
docker-compose.yml starts them, write nothing but JSON lines; the worker's carry the callback's id
and the task's, so a callback pressed in the web can be followed into the worker; tracebacks are
JSON too, with no secret. (The web's lines: tests/integration/test_json_logs.py.)"""

import os
import sys
import uuid

import pytest
from django.conf import settings

from callbacks.models import CallbackStatus
from tests.helpers import wait_for
from tests.integration import console_log
from tests.system.redaction_probe import PROBE, TASK
from tests.system.test_secrets_in_output import EVENTS_SECRET, environment, running
from tests.system.test_worker import finished, press_call_back
from tests.system.worker_process import (
    QUEUE_VARIABLE,
    own_queue,
    worker_on_own_queue,
)

pytestmark = pytest.mark.worker
json_console = console_log.json_console
REDACTED = "[redacted] [redacted]"  # the key, then the secret, as the probe logs them
# Tests run as root, compose's processes as the image's user: Celery's warning about root comes
# before its logging is set up, so it would be the one line of text.
AS_THE_APP_USER = {"PYTHONWARNINGS": "ignore:You're running the worker with superuser privileges"}


@pytest.fixture(scope="module")
def worker(sandbox_server, django_db_setup, tmp_path_factory):
    """A real worker with LOG_FORMAT=json, on this run's queue (a press goes there), with the
    redaction probe's task."""
    log_path = tmp_path_factory.mktemp("json-worker") / "worker.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with worker_on_own_queue(
        log_path,
        queue=queue,
        sandbox_url=sandbox_server.url,
        env={"LOG_FORMAT": "json", "EXOLVE_EVENTS_SECRET": EVENTS_SECRET, **AS_THE_APP_USER},
        include=["tests.system.redaction_probe"],
        quiet=True,
    ) as worker:
        yield worker


def assert_no_secret(text):
    assert settings.EXOLVE_API_KEY not in text
    assert EVENTS_SECRET not in text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_callback_is_followed_from_the_press_into_the_worker(
    worker, client, sandbox, staff_user, contact, agent_group, json_console
):
    callback = press_call_back(client, staff_user, contact, agent_group)
    assert wait_for(finished(callback), 30), worker.log()
    assert callback.status == CallbackStatus.PLACED
    pressed = console_log.line_starting(json_console.getvalue(), f"Callback {callback.pk} by")
    assert pressed["callback_id"] == callback.pk
    placed = f"Callback {callback.pk} attempt 1: placed (HTTP 200) -> placed"
    assert wait_for(lambda: placed in worker.log(), 10), worker.log()
    line = console_log.line_starting(worker.log(), placed)
    assert line == {
        "time": line["time"],
        "level": "INFO",
        "logger": "callbacks.delivery.recording",
        "message": placed,
        "callback_id": callback.pk,
        "task_id": line["task_id"],
    }
    assert f"Task callbacks.send_callbacks[{line['task_id']}] received" in worker.log()


def test_the_workers_tracebacks_are_json_without_the_secrets(worker):
    from callbacks_project.celery import app

    app.send_task(TASK, queue=settings.CELERY_TASK_DEFAULT_QUEUE)
    assert wait_for(lambda: f"{TASK}[" in worker.log() and " raised " in worker.log(), 30), (
        worker.log()
    )
    output = worker.log()
    probe = console_log.line_starting(output, f"{PROBE} task logger exception")
    assert probe["level"] == "ERROR"
    assert probe["task_id"]
    assert probe["exc_info"].startswith("Traceback (most recent call last):")
    assert probe["exc_info"].endswith(f"RuntimeError: {PROBE} task logger traceback: {REDACTED}")
    failed = console_log.line_starting(output, f"Task {TASK}[{probe['task_id']}] raised")
    assert failed["exc_info"].endswith(f"RuntimeError: {PROBE} task failure: {REDACTED}")
    printed = console_log.line_starting(output, f"{PROBE} stdout: ")
    assert printed["message"] == f"{PROBE} stdout: {REDACTED}"
    assert_no_secret(output)


def test_every_line_the_worker_writes_is_json(worker):
    """Read while it runs: Celery prints one line outside logging when told to stop."""
    assert wait_for(lambda: " ready." in worker.log(), 10)
    lines = console_log.json_lines(worker.log())
    assert any(line["message"].endswith(" ready.") for line in lines)


def test_beats_lines_are_json_without_the_secrets(django_db_setup, tmp_path):
    queue = f"callbacks-json-beat-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "celery", "-A", "tests.system.redaction_probe", "--quiet"]
    command += ["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")]
    # A sweep a second, so beat's own line about sending one comes soon.
    env = environment(
        **{QUEUE_VARIABLE: queue, "LOG_FORMAT": "json", "CALLBACK_SWEEP_INTERVAL": "1"}
    )
    with (
        own_queue(settings.CELERY_BROKER_URL, queue),  # beat sends a sweep as it starts
        running(command, tmp_path / "beat.log", env) as beat,
    ):
        assert wait_for(lambda: "Sending due task sweep-callbacks" in beat.log(), 30), beat.log()
        assert wait_for(lambda: f"{PROBE} beat traceback" in beat.log(), 30), beat.log()
        output = beat.log()
    lines = console_log.json_lines(output)
    assert {line["logger"] for line in lines} >= {"celery.beat", "tests.system.redaction_probe"}
    probe = console_log.line_starting(output, f"{PROBE} beat exception")
    assert probe["exc_info"].endswith(f"RuntimeError: {PROBE} beat traceback: {REDACTED}")
    assert_no_secret(output)
