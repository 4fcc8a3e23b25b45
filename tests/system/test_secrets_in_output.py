"""No secret in any process's output, with the real processes: a Celery worker and Celery beat
(which write through handlers Celery makes itself, not Django's LOGGING) and gunicorn (whose
access log prints every request line). A probe (redaction_probe.py) logs the API key and the
events secret in a message, in its arguments and in tracebacks; what comes out is redacted."""

import os
import sys
import uuid
from contextlib import contextmanager

import pytest
import requests
from django.conf import settings

from tests.helpers import free_port, wait_for
from tests.system.redaction_probe import PROBE, TASK
from tests.system.worker_process import (
    QUEUE_VARIABLE,
    Worker,
    database_url,
    own_queue,
    start_logged,
    worker_on_own_queue,
)

EVENTS_SECRET = "events-secret-of-the-processes-0123456789"
BOTH = "[redacted] [redacted]"  # the key, then the secret, as the probe logs them


def environment(**variables):
    """What the processes get: the test database and broker, the API key and an events secret."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EXOLVE_API_KEY": settings.EXOLVE_API_KEY,
        "EXOLVE_EVENTS_SECRET": EVENTS_SECRET,
        **variables,
    }


@contextmanager
def running(command, log_path, env):
    """A process (the leader of its own process group) writing to log_path; always stopped."""
    running_process = Worker(start_logged(command, log_path, env), log_path, command[3])
    try:
        yield running_process
    finally:
        running_process.stop()


def assert_no_secret(output):
    assert settings.EXOLVE_API_KEY not in output
    assert EVENTS_SECRET not in output


def assert_probe_redacted(output, where):
    for kind in ("message", "args", "traceback"):
        assert f"{PROBE} {where} {kind}: {BOTH}" in output, f"{where} {kind}:\n{output}"
    assert f"{PROBE} {where} exception\nTraceback (most recent call last):" in output


@pytest.mark.worker
def test_the_worker_writes_no_secret(django_db_setup, sandbox_server, tmp_path):
    from callbacks_project.celery import app

    queue = f"callbacks-redaction-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    with worker_on_own_queue(
        log_path,
        queue=queue,
        sandbox_url=sandbox_server.url,
        env={"EXOLVE_EVENTS_SECRET": EVENTS_SECRET},
        include=["tests.system.redaction_probe"],
    ) as worker:
        app.send_task(TASK, queue=queue)
        assert wait_for(lambda: f"{TASK}[" in worker.log() and " raised " in worker.log(), 30), (
            worker.log()
        )
    output = log_path.read_text()
    assert_probe_redacted(output, "task logger")
    assert_probe_redacted(output, "module logger")
    assert f"{PROBE} stdout: {BOTH}" in output
    assert f"raised unexpected: RuntimeError('{PROBE} task failure: {BOTH}')" in output
    assert f"RuntimeError: {PROBE} task failure: {BOTH}" in output  # Celery's traceback
    assert_no_secret(output)


@pytest.mark.worker
def test_beat_writes_no_secret(django_db_setup, tmp_path):
    queue = f"callbacks-redaction-beat-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, "-m", "celery", "-A", "tests.system.redaction_probe", "beat"]
    command += ["--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")]
    with (
        own_queue(settings.CELERY_BROKER_URL, queue),  # beat sends a sweep as it starts
        running(command, tmp_path / "beat.log", environment(**{QUEUE_VARIABLE: queue})) as beat,
    ):
        assert wait_for(lambda: f"RuntimeError: {PROBE} beat traceback" in beat.log(), 30), (
            beat.log()
        )
    output = (tmp_path / "beat.log").read_text()
    assert_probe_redacted(output, "beat")
    assert_no_secret(output)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # gunicorn reads what is there
def test_gunicorns_access_log_never_shows_the_events_secret(tmp_path):
    from tests.integration.call_event_data import event

    port = free_port()
    access_log = tmp_path / "access.log"
    command = [sys.executable, "-m", "gunicorn", "callbacks_project.wsgi:application"]
    command += [
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--access-logfile",
        str(access_log),
    ]
    base = f"127.0.0.1:{port}/exolve/events/"
    with running(command, tmp_path / "gunicorn.log", environment(ALLOWED_HOSTS="127.0.0.1")) as web:
        assert wait_for(lambda: _answers(f"http://{base}"), 30), web.log()
        # The URL set in Exolve's cabinet: its user-info goes as a Basic Authorization header.
        placed = requests.post(
            f"http://exolve:{EVENTS_SECRET}@{base}", json=event("cal-1", "A", "o", 0), timeout=10
        )
        wrong = requests.post(f"http://exolve:{'x' * 30}@{base}", json={}, timeout=10)
        # The old URL: Django logs the path of the 400 it answers.
        old = requests.post(f"http://{base}{EVENTS_SECRET}/", data="{not json", timeout=10)
        assert (placed.status_code, wrong.status_code, old.status_code) == (200, 401, 400)
        assert placed.json()["stored"] is True
    new_form = [
        line for line in access_log.read_text().splitlines() if "POST /exolve/events/ " in line
    ]
    assert len(new_form) == 2, access_log.read_text()
    assert all(" exolve " in line for line in new_form)  # the user name is all it shows
    assert_no_secret("\n".join(new_form))
    errors = web.log()
    assert "Bad Request: /exolve/events/[redacted]/" in errors
    assert_no_secret(errors)


def _answers(url):
    try:
        requests.get(url, timeout=1)
    except requests.ConnectionError:
        return False
    return True
