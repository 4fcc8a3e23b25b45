"""gunicorn's settings for the web container (`gunicorn -c python:callbacks_project.gunicorn`).

Threads (gthread): a long CSV export streams in one thread for as long as it takes, while the
other threads answer everything else, Exolve's call events above all. The process's heartbeat
runs beside its threads, so `timeout` stops a stuck process, never a long response (a sync worker
is killed mid-stream after `timeout` and the client gets a truncated file with a 200)."""

import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"Environment variable {name}: must be a whole number of at least 1")
    return int(value)


bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = _number("WEB_PROCESSES", 2)
worker_class = "gthread"
threads = _number("WEB_THREADS", 16)
timeout = _number("WEB_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5


def on_starting(server: object) -> None:
    """An empty PROMETHEUS_MULTIPROC_DIR: counters start again with the server."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True)


def child_exit(server: object, worker: object) -> None:
    """A process gone: its counters leave /metrics' sum (prometheus-client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined,no-untyped-call]
