"""gunicorn's settings for the web container (`gunicorn -c python:callbacks_project.gunicorn`).

Threads (gthread): a long CSV export streams in one thread for as long as it takes, while the
other threads answer everything else, Exolve's call events above all. The process's heartbeat
runs beside its threads, so `timeout` stops a stuck process, never a long response (a sync worker
is killed mid-stream after `timeout` and the client gets a truncated file with a 200)."""

import os
import shutil
import tempfile


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


# Several processes: /metrics adds up their counters from a folder of this server's own
# (prometheus-client's multiprocess mode), set for the processes gunicorn starts and not for
# `manage.py` commands run beside it. prometheus-client reads it when first imported, so nothing
# here imports it before the processes start.


def on_starting(server: object) -> None:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="callbacks-metrics-")


def child_exit(server: object, worker: object) -> None:
    """A process gone: its counters leave /metrics' sum."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined,no-untyped-call]


def on_exit(server: object) -> None:
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
