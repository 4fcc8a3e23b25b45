"""The reference pipeline for benchmarks/throughput.py: a Celery app with nothing but one task
that POSTs a MakeCallback body with a per-thread requests.Session.

It mirrors the project's Celery settings that matter for throughput (acks_late, prefetch
multiplier 1, JSON, ignored results, the Redis visibility timeout) and uses the same broker.
No Django, no database. Configured from the environment by throughput_processes.py:

    BENCH_BROKER_URL    the broker (the benchmark's private Redis)
    BENCH_EXOLVE_URL    the sandbox's base URL
    BENCH_EXOLVE_KEY    the sandbox's API key
    BENCH_COUNTER_URL   a Redis URL where each task counts itself (defaults to the broker)

Run: celery -A benchmarks.bare_tasks worker --pool threads --concurrency 50 -Q bench-bare
"""

import os
import threading
import time

import redis
import requests
from celery import Celery

QUEUE = "bench-bare"
DONE_KEY = "bench:bare:done"  # INCR per finished task
ERRORS_KEY = "bench:bare:errors"  # INCR per task whose answer was not 200 (or that raised)
LAST_KEY = "bench:bare:last"  # a sorted set whose one member holds the latest finish time (ZADD GT)
MAKE_CALLBACK_PATH = "/call/v1/MakeCallback"

BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/15")

# set_as_current=False: throughput_paths.py imports this next to the project's app, whose shared
# tasks must keep publishing through the project's app.
app = Celery("bench_bare", broker=BROKER_URL, set_as_current=False)
app.conf.update(
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    task_default_queue=QUEUE,
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=1.0,
    broker_transport_options={
        "visibility_timeout": 3600,
        "socket_connect_timeout": 1.0,
        "socket_timeout": 5.0,
    },
    worker_hijack_root_logger=True,
)

_local = threading.local()
_counter = None
_counter_lock = threading.Lock()


def _session():
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {os.environ['BENCH_EXOLVE_KEY']}"
        _local.session = session
    return session


def _redis():
    global _counter
    with _counter_lock:
        if _counter is None:
            _counter = redis.Redis.from_url(os.environ.get("BENCH_COUNTER_URL") or BROKER_URL)
        return _counter


@app.task(name="bench.bare_post", ignore_result=True)
def bare_post(body):
    url = os.environ["BENCH_EXOLVE_URL"].rstrip("/") + MAKE_CALLBACK_PATH
    ok = False
    try:
        response = _session().post(url, json=body, timeout=(3.05, 15.0))
        ok = response.status_code == 200
    finally:
        pipe = _redis().pipeline(transaction=False)
        pipe.incr(DONE_KEY)
        if not ok:
            pipe.incr(ERRORS_KEY)
        pipe.zadd(LAST_KEY, {"t": time.time()}, gt=True)
        pipe.execute()
