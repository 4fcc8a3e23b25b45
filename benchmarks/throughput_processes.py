"""The throughput benchmark's process harness: what it starts, and how it stops it again.

A private redis-server and the project's Exolve sandbox on free ports, the environment they and
the workers run with, the PostgreSQL database of its own, the Celery workers (one at a time) and
py-spy recording them. Every process runs in a session of its own and is stopped by its own pid.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.progress import log

PROJECT = Path(__file__).resolve().parents[1]
API_KEY = "bench-sandbox-key"
POLL_SECONDS = 0.05
# The project's settings that the benchmark sets itself: the caller's own never leak in.
OWN_PREFIXES = ("CELERY_", "CALLBACK_", "EXOLVE_", "DATABASE_")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Processes:
    """The processes this script started: each in a session of its own (so a Ctrl-C in the terminal
    reaches only this script), stopped here by its own pid, in reverse order."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.running = []

    def start(self, name, command, env=None):
        log_path = self.log_dir / f"{name}.log"
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(
                command,
                cwd=PROJECT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc.bench_name, proc.log_path = name, log_path
        self.running.append(proc)
        return proc

    def stop(self, proc, grace=20):
        if proc.poll() is None:
            proc.terminate()  # Celery: warm shutdown; redis-server, sandbox: exit
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                log(f"{proc.bench_name} (pid {proc.pid}) did not stop in {grace}s: SIGKILL")
                proc.kill()
                proc.wait(10)
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self):
        for proc in reversed(list(self.running)):
            self.stop(proc)


def wait_until(check, timeout, what, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"{what}: {proc.bench_name} exited ({proc.returncode}); see {proc.log_path}"
            )
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# --- the private Redis and the sandbox ----------------------------------------------------------


def start_redis(procs, port, work_dir):
    return procs.start(
        "redis",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(work_dir)],
    )  # fmt: skip


def start_sandbox(procs, port, env):
    return procs.start(
        "sandbox",
        [
            sys.executable,
            "-m",
            "exolve_sandbox",
            "--port",
            str(port),
            "--api-key",
            API_KEY,
        ],
        env=env,
    )


def pings(client):
    try:
        return client.ping()
    except Exception:
        return False


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- the environment ----------------------------------------------------------------------------


def benchmark_env(args, work_dir, redis_url, sandbox_url):
    """The environment of the workers, the sandbox and manage.py: the private Redis, the sandbox
    and the database of its own, whatever the caller's environment says."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)},
        "DJANGO_SETTINGS_MODULE": "callbacks_project.settings",
        "PYTHONPATH": str(PROJECT),
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key",
        "VAR_DIR": str(work_dir / "var"),
        "DATABASE_URL": f"{args.pg.rstrip('/')}/{args.db_name}",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_WORKER_POOL": args.pool,
        "CELERY_WORKER_CONCURRENCY": str(args.concurrency),
        "EXOLVE_API_URL": sandbox_url,
        "EXOLVE_API_KEY": API_KEY,
        "CALLBACK_USER_HOURLY_LIMIT": "100000000",
        "CALLBACK_ALLOWED_COUNTRIES": "RU",
        # The cooldown stays on (its query is part of the service path): every number is distinct.
        "BENCH_BROKER_URL": redis_url,
        "BENCH_COUNTER_URL": redis_url,
        "BENCH_EXOLVE_URL": sandbox_url,
        "BENCH_EXOLVE_KEY": API_KEY,
    }


def adopt_env(env):
    """This process runs with the same settings as the workers (it makes the rows of (3))."""
    os.environ.update(env)
    for key in [k for k in os.environ if k.startswith(OWN_PREFIXES)]:
        if key not in env:
            del os.environ[key]


# --- PostgreSQL ---------------------------------------------------------------------------------


def psql(server_url, sql):
    subprocess.run(
        ["psql", server_url.rstrip("/") + "/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        env={**os.environ, "PGOPTIONS": "--client-min-messages=warning"},
    )


def create_database(args):
    psql(args.pg, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
    psql(args.pg, f'CREATE DATABASE "{args.db_name}"')


def drop_database(args):
    psql(args.pg, f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')


def migrate(env):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )


# --- the workers --------------------------------------------------------------------------------


class Workers:
    """The Celery workers of (2) and (3), started one at a time, and py-spy recording them when
    asked (--py-spy): `profiles` lists (py-spy process, output file)."""

    def __init__(self, args, procs, env):
        self.args, self.procs, self.env = args, procs, env
        self.profiles = []

    def command(self, app, name, queue, concurrency=None):
        a = self.args
        return [
            sys.executable, "-m", "celery", "-A", app, "worker",
            "--pool", a.pool, "--concurrency", str(concurrency or a.concurrency),
            "--loglevel", "INFO", "-Q", queue, "-n", f"{name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip

    def start(self, app, name, queue, extra_env=(), concurrency=None):
        env = {**self.env, **dict(item.split("=", 1) for item in extra_env)}
        proc = self.procs.start(name, self.command(app, name, queue, concurrency), env=env)
        wait_until(
            lambda: " ready." in proc.log_path.read_text(errors="replace"),
            90,
            f"{name} ready",
            proc,
        )
        return proc

    def stop(self, proc):
        self.procs.stop(proc)

    def profile(self, proc, label, seconds):
        if not self.args.py_spy:
            return None
        out_dir = Path(self.args.profile_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        # Two views of the same seconds: where the CPU goes (threads on CPU), and where the
        # worker's threads spend their wall time (--idle: waiting ones included).
        for view, extra in (("cpu", []), ("wall", ["--idle"])):
            out = out_dir / f"{label}-{view}.txt"
            cmd = [self.args.py_spy, "record", "--pid", str(proc.pid), "--format", "raw",
                   "--rate", "100", "--duration", str(max(1, int(seconds))), "--nonblocking",
                   *extra, "-o", str(out)]  # fmt: skip
            spy = self.procs.start(f"py-spy-{label}-{view}", cmd)
            self.profiles.append((spy, out))
