"""Real Celery worker processes for the fault tests, and the test-only hooks loaded into them.

On the test side: `running_worker()` starts `celery worker` (optionally with the embedded beat,
i.e. the sweeper) against the test database pytest-django created, in a process group of its
own so that SIGKILL takes its beat child with it, and always stops it. `own_queue()` cleans a
test's own queue out of a shared Redis afterwards.

In the worker: started with `-I tests.worker_process`, this module (imported by the worker at
start-up) sends the process's send tasks to TEST_WORKER_QUEUE (the sweeper's go to this run's
sweeper queue, as the settings route them), and with TEST_WORKER_HOLD_FILE
set, holds every `callbacks.send_callbacks` task before it claims its request for as long as that
file exists (saying so in the log), so a test can kill the worker at that exact point.
"""

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from tests.helpers import PROJECT, wait_for

QUEUE_VARIABLE = "TEST_WORKER_QUEUE"
HOLD_VARIABLE = "TEST_WORKER_HOLD_FILE"
HOLDING = "test hook: holding callback request"
READY = " ready."
# The worker's INFO lines about each task: "Task callbacks.x[<id>] received", then "… succeeded
# in 0.01s: None" (or failed, raised, retry).
TASK_RECEIVED = re.compile(r"Task [\w.]+\[([\w-]+)\] received")
TASK_FINISHED = re.compile(r"Task [\w.]+\[([\w-]+)\] (?:succeeded|failed|raised|retry)")
SWEEP_DONE = "Task callbacks.sweep["  # ... succeeded in …s: None (the worker's INFO line per sweep)


# --- on the test side ------------------------------------------------------------------------


def database_url():
    """The URL of the test database pytest-django created, for the worker process."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A running `celery worker` process (the leader of its own process group) and its log."""

    def __init__(self, process, log_path, hostname):
        self.process = process
        self.log_path = log_path
        self.hostname = hostname
        self.killed = False

    def log(self):
        return self.log_path.read_text(errors="replace")

    def sweeps(self):
        """How many sweeps this worker has finished so far."""
        return sum(
            1 for line in self.log().splitlines() if SWEEP_DONE in line and " succeeded in " in line
        )

    def wait_for_sweeps(self, count, seconds=30):
        """Wait until `count` more sweeps than now have finished: the sweeper's clock, not a
        sleep."""
        target = self.sweeps() + count
        return wait_for(lambda: self.sweeps() >= target, seconds)

    def wait_until_idle(self, seconds=30):
        """Wait until the worker has received a task and finished every task it received (its
        log's own account)."""

        def idle():
            log = self.log()
            received = set(TASK_RECEIVED.findall(log))
            return bool(received) and received <= set(TASK_FINISHED.findall(log))

        return wait_for(idle, seconds)

    def alive(self):
        return self.process.poll() is None

    def kill(self):
        """SIGKILL the worker and everything it started (the embedded beat is a child process)."""
        _signal_group(self.process, signal.SIGKILL)
        self.process.wait(10)
        self.killed = True

    def stop(self, timeout=20):
        """Warm shutdown; SIGKILL if it does not finish in time. Always leaves no process behind."""
        if self.killed:
            return
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGTERM)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(self.process, signal.SIGKILL)  # the beat child, or a worker that hung
        self.process.wait(10)
        self.killed = True


def start_logged(command, log_path, env):
    """A process of the project (the leader of its own process group, so that a signal to the
    group reaches its children) writing its output to log_path."""
    with open(log_path, "w") as log:
        return subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _signal_group(process, signum):
    try:
        os.killpg(process.pid, signum)  # the group we made with start_new_session: only ours
    except ProcessLookupError:
        pass


@contextmanager
def running_worker(
    log_path,
    *,
    queue,
    broker_url,
    sandbox_url,
    concurrency=2,
    beat=False,
    hold_file=None,
    env=None,
    include=(),
    ready_seconds=60,
    consume=None,
    hostname=None,
    quiet=False,
):
    """Start a worker whose send tasks go to `queue`, consuming `consume` (by default `queue`, and
    with `beat` this run's sweeper queue too, as scripts/run-demo's worker does), with the modules
    in `include` imported besides this one; yield a Worker; stop it (or its corpse) on the way
    out. With `quiet`, no banner: everything it writes goes through logging."""
    from django.conf import settings

    if consume is None:
        consume = [queue, settings.CALLBACK_SWEEPER_QUEUE] if beat else [queue]

    hostname = (
        hostname or f"test-worker-{os.getpid()}-{log_path.stem}-{time.monotonic_ns()}@localhost"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "EXOLVE_API_URL": sandbox_url,
        "EXOLVE_API_KEY": settings.EXOLVE_API_KEY,
        "CELERY_WORKER_POOL": "threads",
        "CELERY_WORKER_CONCURRENCY": str(concurrency),
        QUEUE_VARIABLE: queue,
        **(env or {}),
    }
    environment.pop(HOLD_VARIABLE, None)
    if hold_file is not None:
        environment[HOLD_VARIABLE] = str(hold_file)
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "callbacks_project",
        *(["--quiet"] if quiet else []),
        "worker",
        "--loglevel=INFO",
    ]
    command += ["--pool", "threads", "--concurrency", str(concurrency), "-Q", ",".join(consume)]
    command += ["-n", hostname]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["-I", ",".join([__name__, *include])]
    if beat:
        command += ["--beat", "-s", str(log_path.with_suffix(".beat-schedule"))]
    worker = Worker(start_logged(command, log_path, environment), log_path, hostname)
    try:
        started = wait_for(lambda: READY in worker.log() or not worker.alive(), ready_seconds)
        assert started, f"the worker did not start:\n{worker.log()}"
        assert worker.alive(), f"the worker stopped:\n{worker.log()}"
        yield worker
    finally:
        killed = worker.killed
        worker.stop()
        if killed:
            _forget_remote_control(broker_url, hostname)


@contextmanager
def own_queue(url, queue):
    """Yield; then delete what `queue` left on the broker at `url` (a Redis others may share): its
    lists and bindings, and the messages that killed workers took and never acknowledged."""
    try:
        yield
    finally:
        if url.startswith(("redis://", "rediss://")):
            _delete_queue(url, queue)


def _delete_queue(url, queue):
    from kombu import Connection, Exchange, Queue

    with Connection(
        url, connect_timeout=1, transport_options={"socket_timeout": 5, "max_retries": 1}
    ) as connection:
        # Declared the way Celery declares a queue it was only told the name of (a direct exchange
        # of the same name), so that kombu's own delete removes the lists and both binding sets.
        declared = Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel)
        declared.declare()
        declared.delete()
        client = connection.default_channel.client
        # kombu.transport.redis keeps a delivered, unacknowledged message in the hash "unacked"
        # (tag -> [message, exchange, routing_key]) and "unacked_index" until it is acknowledged,
        # or restored after the visibility timeout, by whichever consumer of this database sees it.
        for tag, value in client.hscan_iter("unacked", count=1000):
            try:
                _message, exchange, routing_key = json.loads(value)
            except (ValueError, TypeError):
                continue
            if queue in (exchange, routing_key):
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


def _forget_remote_control(url, hostname):
    """A killed worker never unbinds its remote-control queue from the celery.pidbox exchange."""
    if not url.startswith(("redis://", "rediss://")):
        return
    import redis

    # routing key, pattern (both empty), queue
    member = f"{KOMBU_SEP}{KOMBU_SEP}{hostname}.celery.pidbox"
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.srem("_kombu.binding.celery.pidbox", member)
    except redis.RedisError:
        logging.getLogger(__name__).warning(
            "could not unbind %s's remote control", hostname, exc_info=True
        )
    finally:
        client.close()


KOMBU_SEP = "\x06\x16"  # kombu.transport.redis.Channel.sep


# --- in the worker ---------------------------------------------------------------------------


def _hold_before_claim(hold_file):
    from celery.signals import task_prerun

    logger = logging.getLogger(__name__)

    @task_prerun.connect(weak=False)
    def hold(sender=None, task=None, args=None, **kwargs):
        if task is None or task.name not in ("callbacks.send_callbacks", "callbacks.send_callback"):
            return
        request_ids = args[0] if task.name == "callbacks.send_callbacks" else args
        logger.warning(
            "%s %s before its claim while %s exists",
            HOLDING,
            ", ".join(map(str, request_ids)),
            hold_file,
        )
        while os.path.exists(hold_file):
            time.sleep(0.05)


def _configure_worker():
    queue = os.environ.get(QUEUE_VARIABLE)
    if queue:
        from callbacks_project.celery import app

        app.conf.task_default_queue = queue  # the retries' and the sweeper's sends too
    hold_file = os.environ.get(HOLD_VARIABLE)
    if hold_file:
        _hold_before_claim(hold_file)


if os.environ.get(QUEUE_VARIABLE) or os.environ.get(HOLD_VARIABLE):
    _configure_worker()


@contextmanager
def worker_on_own_queue(log_path, *, queue, sandbox_url, **options):
    """running_worker on the configured broker, consuming `queue`, whose leftovers are cleaned
    off the broker afterwards (own_queue)."""
    from django.conf import settings

    url = settings.CELERY_BROKER_URL
    with (
        own_queue(url, queue),
        running_worker(
            log_path, queue=queue, broker_url=url, sandbox_url=sandbox_url, **options
        ) as worker,
    ):
        yield worker
