#!/usr/bin/env python
"""Callback throughput: the HTTP ceiling, a bare Celery task, and the application end to end.

Against the project's own Exolve sandbox answering after 0 ms and after 200 ms, one run measures

  (1) ceiling   a plain loop of requests.Session POSTs of the same MakeCallback bodies, from as
                many threads as the worker has (one Session per thread), in this process;
  (2) bare      benchmarks/bare_tasks.py: a Celery task that only POSTs the body (per-thread
                Session), run by `celery -A benchmarks.bare_tasks worker` with the same pool,
                concurrency, acks_late and prefetch multiplier 1 as the project, same broker;
  (3) app       real CallbackRequest rows made by create_callback while publishing is
                held back (as when the broker is down), then queued the way the sweeper queues
                such a backlog (CALLBACK_BATCH_SIZE requests per task; --create live: one task
                per press) to a real `celery -A callbacks_project worker`, which claims,
                writes the attempt, calls MakeCallback through ExolveClient and records it;

and prints callbacks per second, (3)/(2) and (2)/(1) as a Markdown table.

Everything runs privately: a redis-server on a free port, a PostgreSQL database of its own
(dropped and re-created; migrated with manage.py migrate), a sandbox on a free port, one worker
at a time. Everything it started is stopped (and the database dropped) on exit, Ctrl-C included.

    .venv/bin/python benchmarks/throughput.py            # the full run (a few minutes)
    .venv/bin/python benchmarks/throughput.py --quick    # a smoke run, N=100
"""

import argparse
import itertools
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

API_KEY = "bench-sandbox-key"
FINAL_STATUSES = ("placed", "failed", "unknown", "cancelled", "refused")
POLL_SECONDS = 0.05


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick", action="store_true", help="smoke run: N=100 at each latency, small warm-up"
    )
    p.add_argument("--n0", type=int, default=1500, help="callbacks measured at 0 ms (default 1500)")
    p.add_argument(
        "--n200", type=int, default=2000, help="callbacks measured at 200 ms (default 2000)"
    )
    p.add_argument(
        "--delays", default="0,200", help="sandbox latencies in ms, comma separated (default 0,200)"
    )
    p.add_argument(
        "--pool",
        default="threads",
        choices=["threads", "prefork", "solo"],
        help="worker pool (default threads)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=50,
        help="worker concurrency, and threads of (1) (default 50)",
    )
    p.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="unmeasured tasks before each (2)/(3) run (default 2×concurrency)",
    )
    p.add_argument(
        "--create",
        default="before",
        choices=["before", "live"],
        help="(3): 'before' makes every row with create_callback (publishing held back) and then "
        "queues them with the sweeper's queue_due, CALLBACK_BATCH_SIZE per task; 'live' calls request_callback "
        "one after another while the worker runs, one task per press (default before)",
    )
    p.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL, no database",
    )
    p.add_argument(
        "--db-name", default="callbacks_bench", help="the database of its own it drops and creates"
    )
    p.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    p.add_argument(
        "--keep-logs", action="store_true", help="keep the worker/sandbox/redis logs (path printed)"
    )
    p.add_argument(
        "--app-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the application's worker only, to try a change (e.g. a settings module "
        "of your own on PYTHONPATH); the report says so",
    )
    p.add_argument(
        "--app-processes",
        type=int,
        default=1,
        help="experiment: run the application's concurrency split over this many worker processes (default 1)",
    )
    p.add_argument(
        "--py-spy",
        metavar="PATH",
        help="py-spy binary: record the workers of (2) and (3) while measured",
    )
    p.add_argument(
        "--profile-dir",
        default="/tmp/bench-profiles",
        help="where --py-spy writes (default /tmp/bench-profiles)",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.n0 = args.n200 = 100
        if args.warmup is None:
            args.warmup = min(20, args.concurrency)
    if args.warmup is None:
        args.warmup = 2 * args.concurrency
    args.delays = [int(d) for d in args.delays.split(",") if d.strip()]
    return args


def n_for(args, delay):
    return args.n0 if delay == 0 else args.n200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- processes --------------------------------------------------------------------------------


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
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


# --- PostgreSQL -------------------------------------------------------------------------------


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


def _cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_jiffies():
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]), idle


class Monitor:
    """While a run is measured: the worker's CPU time, how busy the whole machine is, and how many
    messages wait in the broker queue (sampled every 100 ms: ~0 means the worker keeps up with the
    publisher, a growing backlog means the worker is the bottleneck)."""

    def __init__(self, redis_client, queue, worker_pids):
        self.redis, self.queue, self.pids = redis_client, queue, list(worker_pids)
        self.samples = []
        self._stop = threading.Event()

    def __enter__(self):
        self.cpu0, (self.total0, self.idle0) = self._worker_cpu(), _machine_jiffies()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _worker_cpu(self):
        return sum(_cpu_seconds(pid) for pid in self.pids)

    def _sample(self):
        client = self.redis.__class__(connection_pool=self.redis.connection_pool)
        while not self._stop.wait(0.1):
            try:
                self.samples.append(client.llen(self.queue))
            except Exception:
                pass

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join(5)
        total1, idle1 = _machine_jiffies()
        self.result = {
            "worker_cpu_seconds": self._worker_cpu() - self.cpu0,
            "machine_busy": 1 - (idle1 - self.idle0) / max(1, total1 - self.total0),
            "backlog_mean": sum(self.samples) / len(self.samples) if self.samples else 0,
            "backlog_max": max(self.samples, default=0),
        }
        return False


# --- the benchmark ----------------------------------------------------------------------------


class Bench:
    def __init__(self, args, procs, env, sandbox_url, redis_url):
        self.args, self.procs, self.env = args, procs, env
        self.sandbox_url, self.redis_url = sandbox_url, redis_url
        import redis
        import requests

        self.requests = requests
        self.redis = redis.Redis.from_url(redis_url)
        self.next_contact = 0
        self.profiles = []

    # the sandbox
    def sandbox(self, delay_ms):
        r = self.requests
        r.post(f"{self.sandbox_url}/_sandbox/reset", timeout=10).raise_for_status()
        r.post(
            f"{self.sandbox_url}/_sandbox/config", json={"delay_ms": delay_ms}, timeout=10
        ).raise_for_status()

    def sandbox_ok_count(self):
        received = self.requests.get(f"{self.sandbox_url}/_sandbox/requests", timeout=60).json()[
            "requests"
        ]
        return sum(1 for entry in received if entry["status"] == 200), len(received)

    # data
    def setup_data(self):
        from django.contrib.auth.models import User

        from callbacks.models import AgentGroup, Destination, MediaResource, TtsPreset

        self.user = User.objects.create_user("bench", password="bench-pass-1234", is_staff=True)
        media = MediaResource.objects.create(name="Greeting", media_resource_id=685)
        tts = TtsPreset.objects.create(
            name="Website", text="Обратный звонок с сайта", voice=3, speed="1.5"
        )
        self.group = AgentGroup.objects.create(
            name="Bench",
            number_code=74999999999,
            callback_resource_id=1221,
            agent_media_resource=media,
            contact_tts_preset=tts,
            contact_ring_logic=2,
        )
        Destination.objects.create(agent_group=self.group, position=0, number="78129999999")
        Destination.objects.create(agent_group=self.group, position=1, number="74959999999")

    def make_contacts(self, count):
        """`count` new contacts, each with one distinct Russian mobile number 7912xxxxxxx."""
        from callbacks.models import Contact, ContactNumber

        first = self.next_contact
        self.next_contact += count
        contacts = Contact.objects.bulk_create(
            [Contact(name=f"Bench {i}") for i in range(first, first + count)]
        )
        ContactNumber.objects.bulk_create(
            [
                ContactNumber(contact=c, position=0, number=f"7912{i:07d}")
                for i, c in zip(range(first, first + count), contacts, strict=False)
            ]
        )
        return contacts

    def bodies(self, contacts, tag):
        """The MakeCallback body the application would send for each contact (same builder)."""
        from callbacks import exolve
        from callbacks.models import ContactNumber

        destinations = list(self.group.destinations.all())
        numbers = {}
        for n in ContactNumber.objects.filter(contact__in=contacts).order_by("position", "id"):
            numbers.setdefault(n.contact_id, []).append(n)
        return [
            exolve.build_make_callback_body(
                agent_group=self.group,
                agent_destinations=destinations,
                contact_numbers=numbers[c.pk],
                request_description=f"bench-{tag}-{c.pk}",
            )
            for c in contacts
        ]

    # (1) the ceiling
    def ceiling(self, bodies):
        threads_n = self.args.concurrency
        url = f"{self.sandbox_url}/call/v1/MakeCallback"
        counter = itertools.count()
        lock = threading.Lock()
        results = {"ok": 0, "other": 0, "last": 0.0}
        ready = threading.Barrier(threads_n + 1)
        errors = []

        def run():
            try:
                session = self.requests.Session()
                session.headers["Authorization"] = f"Bearer {API_KEY}"
                # Unmeasured: open the keep-alive connection. The sandbox listens with socketserver's
                # backlog of 5, so 50 simultaneous connects may be reset: try again, staggered.
                for attempt in range(10):
                    try:
                        session.post(url, json=bodies[0], timeout=(3.05, 15)).raise_for_status()
                        break
                    except self.requests.ConnectionError:
                        if attempt == 9:
                            raise
                        time.sleep(0.05 * (attempt + 1))
                ready.wait()
                while True:
                    i = next(counter)
                    if i >= len(bodies):
                        break
                    response = session.post(url, json=bodies[i], timeout=(3.05, 15.0))
                    done = time.time()
                    with lock:
                        results["ok" if response.status_code == 200 else "other"] += 1
                        results["last"] = max(results["last"], done)
            except threading.BrokenBarrierError:
                pass
            except Exception as exc:
                errors.append(exc)
                ready.abort()

        threads = [threading.Thread(target=run, daemon=True) for _ in range(threads_n)]
        for t in threads:
            t.start()
        try:
            ready.wait(60)
        except threading.BrokenBarrierError:
            for t in threads:
                t.join(20)
            raise RuntimeError(f"ceiling: a thread failed: {errors[:1]!r}") from None
        start = time.time()
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError(f"ceiling: {errors[0]!r}")
        return {
            "n": len(bodies),
            "seconds": results["last"] - start,
            "ok": results["ok"],
            "other": results["other"],
        }

    # workers
    def worker_command(self, app, name, queue, concurrency=None):
        a = self.args
        return [
            sys.executable, "-m", "celery", "-A", app, "worker",
            "--pool", a.pool, "--concurrency", str(concurrency or a.concurrency), "--loglevel", "INFO",
            "-Q", queue, "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip

    def start_worker(self, app, name, queue, extra_env=(), concurrency=None):
        env = {**self.env, **dict(item.split("=", 1) for item in extra_env)}
        proc = self.procs.start(name, self.worker_command(app, name, queue, concurrency), env=env)
        wait_until(
            lambda: " ready." in proc.log_path.read_text(errors="replace"),
            90,
            f"{name} ready",
            proc,
        )
        return proc

    def profile(self, proc, label, seconds):
        if not self.args.py_spy:
            return None
        out_dir = Path(self.args.profile_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        # Two views of the same seconds: where the CPU goes (threads on CPU), and where the
        # worker's threads spend their wall time (--idle: waiting ones included).
        for view, extra in (("cpu", []), ("wall", ["--idle"])):
            out = out_dir / f"{label}-{view}.txt"
            cmd = [self.args.py_spy, "record", "--pid", str(proc.pid), "--format", "raw", "--rate", "100",
                   "--duration", str(max(1, int(seconds))), "--nonblocking", *extra, "-o", str(out)]  # fmt: skip
            spy = self.procs.start(f"py-spy-{label}-{view}", cmd)
            self.profiles.append((spy, out))

    # (2) the bare Celery task
    def bare(self, bodies, warm_bodies, expected_seconds, label):
        from benchmarks import bare_tasks

        proc = self.start_worker("benchmarks.bare_tasks", "bench-bare", bare_tasks.QUEUE)
        try:
            for phase, batch in (("warm-up", warm_bodies), ("measured", bodies)):
                self.redis.delete(bare_tasks.DONE_KEY, bare_tasks.ERRORS_KEY, bare_tasks.LAST_KEY)
                if phase == "measured":
                    self.profile(proc, f"bare-{label}", expected_seconds)
                with Monitor(self.redis, bare_tasks.QUEUE, [proc.pid]) as monitor:
                    start = time.time()
                    for body in batch:
                        bare_tasks.bare_post.apply_async((body,))
                    published = time.time()
                    timeout = max(120, 20 * expected_seconds)
                    done = lambda: int(self.redis.get(bare_tasks.DONE_KEY) or 0) >= len(batch)  # noqa: E731
                    wait_until(done, timeout, f"bare {phase}", proc)
            last = self.redis.zscore(bare_tasks.LAST_KEY, "t")
            errors = int(self.redis.get(bare_tasks.ERRORS_KEY) or 0)
        finally:
            self.procs.stop(proc)
        return {
            "n": len(bodies),
            "seconds": last - start,
            "publish_seconds": published - start,
            "errors": errors,
            **monitor.result,
        }

    # (3) the application
    def create_requests(self, contacts, hold_publishing):
        """CallbackRequest rows through create_callback; with hold_publishing the on-commit
        publish is dropped, as when the broker is down. Returns (ids, seconds the service took)."""
        from callbacks.delivery import create, queue
        from callbacks.models import CallbackRequest

        real_publish = queue.publish
        if hold_publishing:
            queue.publish = lambda callback_ids, countdown=0.0: False
        try:
            start = time.perf_counter()
            ids = [
                create.create_callback(contact=c, agent_group=self.group, requested_by=self.user).pk
                for c in contacts
            ]
            seconds = time.perf_counter() - start
        finally:
            queue.publish = real_publish
        self.check_created(ids)
        if hold_publishing:  # what queue.publish does when the broker is down
            CallbackRequest.objects.filter(pk__in=ids).update(queued_at=None)
        return ids, seconds

    def queue_backlog(self):
        """What the sweeper does when the broker is back; returns how many requests it queued."""
        from django.utils import timezone

        from callbacks.delivery import sweeper

        queued = 0
        while swept := sweeper.queue_due(timezone.now()):
            queued += swept
        return queued

    def check_created(self, ids):
        from callbacks.models import CallbackRequest

        bad = CallbackRequest.objects.filter(pk__in=ids).exclude(
            status__in=["pending", "sending", "placed"]
        )
        bad = list(bad.values_list("status", "error")[:3])
        if bad:
            raise RuntimeError(f"request_callback did not queue every request: {list(bad)}")

    def wait_final(self, ids, timeout, proc):
        from callbacks.models import CallbackRequest

        rows = CallbackRequest.objects.filter(pk__gte=min(ids), pk__lte=max(ids))
        polls = itertools.count(1)

        def all_final():
            self.own_queries = next(polls)
            return rows.filter(status__in=FINAL_STATUSES).count() >= len(ids)

        wait_until(all_final, timeout, "app rows final", proc)
        return rows

    def app(self, contacts, warm_contacts, expected_seconds, label):
        from django.db.models import Avg, Count, Max

        from callbacks.delivery import queue
        from callbacks.models import CallbackAttempt

        live = self.args.create == "live"
        warm_ids, _ = self.create_requests(warm_contacts, hold_publishing=True)
        creation = None
        k = self.args.app_processes
        procs = [
            self.start_worker(
                "callbacks_project",
                f"bench-app{i or ''}",
                "celery",
                self.args.app_env,
                self.args.concurrency // k,
            )
            for i in range(k)
        ]
        proc = procs[0]
        try:
            self.queue_backlog()
            self.wait_final(warm_ids, max(120, 20 * expected_seconds), proc)
            if not live:
                ids, creation = self.create_requests(contacts, hold_publishing=True)
            for i, worker in enumerate(procs):
                self.profile(worker, f"app-{label}" + (f"-{i}" if i else ""), expected_seconds)
            pg_before = pg_counters()
            monitor = Monitor(self.redis, "celery", [worker.pid for worker in procs]).__enter__()
            start = time.time()
            if live:
                first = {}
                real_publish = queue.publish

                def timed_publish(callback_ids, countdown=0.0):
                    first.setdefault("t", time.time())
                    return real_publish(callback_ids, countdown)

                queue.publish = timed_publish
                try:
                    ids, creation = self.create_requests(contacts, hold_publishing=False)
                finally:
                    queue.publish = real_publish
                start = first["t"]
                published = time.time()
            else:
                queued = self.queue_backlog()
                published = time.time()
                if queued != len(ids):
                    raise RuntimeError(f"the sweeper queued {queued} of {len(ids)} requests")
            rows = self.wait_final(ids, max(120, 20 * expected_seconds), proc)
            monitor.__exit__(None, None, None)
            own_queries = (
                self.own_queries + 4
            )  # the polls, these three reads, and pg_counters' snapshot clear
            end = rows.aggregate(end=Max("finished_at"))["end"].timestamp()
            statuses = dict(
                rows.values_list("status").annotate(n=Count("id")).values_list("status", "n")
            )
            attempts = CallbackAttempt.objects.filter(request_id__in=ids)
            stats = attempts.aggregate(n=Count("id"), avg_ms=Avg("duration_ms"))
        finally:
            for worker in procs:
                self.procs.stop(worker)
        time.sleep(1.0)  # PostgreSQL flushes its statistics about once a second
        pg_after = pg_counters()
        return {
            "pg": {
                "sessions": pg_after["sessions"] - pg_before["sessions"],
                "commits": pg_after["commits"] - pg_before["commits"] - own_queries,
            },  # fmt: skip
            **monitor.result,
            "n": len(ids),
            "seconds": end - start,
            "publish_seconds": published - start,
            "statuses": statuses,
            "attempts": stats["n"],
            "attempt_avg_ms": stats["avg_ms"],
            "create_rate": len(contacts) / creation if creation else None,
        }


def pg_counters():
    """This database's sessions opened and transactions committed so far (pg_stat_database)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT sessions, xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        sessions, commits = cursor.fetchone()
    return {"sessions": sessions, "commits": commits}


# --- report -----------------------------------------------------------------------------------


def machine(args, redis_client):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    cpu = "?"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    import celery
    import django

    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}, Celery {celery.__version__}; "
        f"PostgreSQL {pg}; Redis {redis_client.info('server')['redis_version']} (private, no persistence)"
    )


def _load(result):
    return (
        f"worker CPU {1000 * result['worker_cpu_seconds'] / result['n']:.1f} ms per callback, "
        f"machine {result['machine_busy']:.0%} busy, queue backlog mean {result['backlog_mean']:.0f} / "
        f"max {result['backlog_max']}"
    )


def rate(result):
    return result["n"] / result["seconds"] if result and result["seconds"] > 0 else float("nan")


def report(args, results, machine_line, load):
    c = args.concurrency
    mode = (
        "rows made first with create_callback (publishing held back, as when the broker is down), "
        "then queued by the sweeper's queue_due, CALLBACK_BATCH_SIZE requests per task"
        if args.create == "before"
        else "create_callback called one after another while the worker runs (one task per press, on commit)"
    )
    lines = [
        "",
        "## Callback throughput",
        "",
        f"Machine: {machine_line}. Load average before the run: {load}.",
        f"Worker: `--pool {args.pool} --concurrency {c}`, acks_late, prefetch multiplier 1, one worker process "
        f"for (2) and one for (3), {args.warmup} unmeasured warm-up tasks first; (1) uses {c} threads, one "
        "requests.Session each. Sandbox: one `python -m exolve_sandbox` process (ThreadingHTTPServer).",
        *(
            ["**Profiled run** (py-spy attached to the workers): not for comparison."]
            if args.py_spy
            else []
        ),
        f"(3) rows: {mode}.",
        *(
            [f"**Experiment** — the application's worker ran with {' '.join(args.app_env)}."]
            if args.app_env
            else []
        ),
        *(
            [
                f"**Experiment** — (3) ran {args.app_processes} worker processes of concurrency "
                f"{args.concurrency // args.app_processes} each."
            ]
            if args.app_processes > 1
            else []
        ),  # fmt: skip
        "",
        "| sandbox latency | N | (1) ceiling, cb/s | (2) bare Celery task, cb/s | (3) application, cb/s | (3)/(2) | (2)/(1) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for delay in args.delays:
        r = results[delay]
        r1, r2, r3 = rate(r["ceiling"]), rate(r["bare"]), rate(r["app"])
        lines.append(
            f"| {delay} ms | {r['app']['n']} | {r1:.0f} | {r2:.0f} | {r3:.0f} | {r3 / r2:.0%} | {r2 / r1:.0%} |"
        )
    lines += ["", "Goals: (3) ≥ 80% of (2) at both latencies; (3) ≥ 100 cb/s at 200 ms."]
    for delay in args.delays:
        r = results[delay]
        r2, r3 = rate(r["bare"]), rate(r["app"])
        verdict = [f"(3)/(2) = {r3 / r2:.0%} {'met' if r3 >= 0.8 * r2 else 'MISSED'}"]
        if delay == 200:
            verdict.append(f"(3) = {r3:.0f} cb/s {'met' if r3 >= 100 else 'MISSED'}")
        lines.append(f"- {delay} ms: " + "; ".join(verdict))
    lines += ["", "Details:"]
    for delay in args.delays:
        r = results[delay]
        ce, ba, ap = r["ceiling"], r["bare"], r["app"]
        lines.append(
            f"- {delay} ms: (1) {ce['n']} POSTs in {ce['seconds']:.2f} s, {ce['ok']} answered 200. "
            f"(2) {ba['n']} tasks in {ba['seconds']:.2f} s (publishing took {ba['publish_seconds']:.2f} s), "
            f"{ba['errors']} not 200; sandbox logged {r['sandbox_bare'][0]} × 200; {_load(ba)}. "
            f"(3) {ap['n']} requests in {ap['seconds']:.2f} s (publishing took {ap['publish_seconds']:.2f} s), "
            f"{_load(ap)}, "
            f"statuses {ap['statuses']}, {ap['attempts']} attempts averaging {ap['attempt_avg_ms']:.0f} ms "
            f"(attempt row to recorded answer); sandbox logged {r['sandbox_app'][0]} × 200; "
            f"PostgreSQL: {ap['pg']['sessions'] / ap['n']:.2f} new sessions and "
            f"{ap['pg']['commits'] / ap['n']:.1f} commits per callback"
            + (
                f"; create_callback made {ap['create_rate']:.0f} rows/s"
                if ap["create_rate"]
                else ""
            )
            + "."
        )
    lines += [
        "",
        "Where the numbers come from: every rate is N / (last completion − start), wall clock on this machine.",
        "(1) start = all threads connected (one unmeasured POST each); end = the last response, timed in the "
        "benchmark process.",
        "(2) start = just before the first apply_async; end = the latest finish time the tasks wrote to Redis "
        "(ZADD GT), after the task counter (INCR) reached N.",
        "(3) start = just before the first queue.publish; end = max(CallbackRequest.finished_at), read once "
        "every row is final (the database is polled every 50 ms).",
        "The sandbox's own request log (GET /_sandbox/requests) confirms the 200s of (2) and (3).",
        "",
    ]
    return "\n".join(lines)


# --- main -------------------------------------------------------------------------------------


def main(argv=None):
    args = parse_args(argv)
    signal.signal(
        signal.SIGINT, _raise_interrupt
    )  # even when started in the background (SIGINT ignored)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    work_dir = Path(tempfile.mkdtemp(prefix="callbacks-bench-"))
    procs = Processes(work_dir)
    cleanup = ExitStack()
    try:
        cleanup.callback(
            lambda: None if args.keep_logs else shutil.rmtree(work_dir, ignore_errors=True)
        )
        cleanup.callback(procs.stop_all)
        if args.keep_logs:
            cleanup.callback(lambda: log(f"logs kept in {work_dir}"))

        redis_port, sandbox_port = free_port(), free_port()
        redis_proc = procs.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(work_dir)],
        )  # fmt: skip
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("CELERY_", "CALLBACK_", "EXOLVE_", "DATABASE_"))
            },
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
        os.environ.update(env)
        for key in [
            k for k in os.environ if k.startswith(("CELERY_", "CALLBACK_", "EXOLVE_", "DATABASE_"))
        ]:
            if key not in env:
                del os.environ[key]

        sandbox_proc = procs.start(
            "sandbox",
            [
                sys.executable,
                "-m",
                "exolve_sandbox",
                "--port",
                str(sandbox_port),
                "--api-key",
                API_KEY,
            ],
            env=env,
        )
        log(
            f"private redis on {redis_port} (pid {redis_proc.pid}), sandbox on {sandbox_port} (pid {sandbox_proc.pid})"
        )
        log(f"database {args.db_name}: drop, create, migrate")
        create_database(args)
        if not args.keep_db:
            cleanup.callback(drop_database, args)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=PROJECT,
            env=env,
            check=True,
        )

        import django

        django.setup()
        import logging

        logging.disable(logging.INFO)  # this process's own INFO lines (one per request_callback)
        import redis

        r = redis.Redis.from_url(redis_url)
        wait_until(lambda: _pings(r), 20, "private redis", redis_proc)
        wait_until(lambda: _listening(sandbox_port), 20, "sandbox", sandbox_proc)
        from django.db import connections

        cleanup.callback(connections.close_all)

        bench = Bench(args, procs, env, sandbox_url, redis_url)
        bench.setup_data()
        results = {}
        for delay in args.delays:
            n = n_for(args, delay)
            expected = n / 50  # seconds, only for timeouts and the profiler's duration
            contacts = bench.make_contacts(n)
            warm = bench.make_contacts(args.warmup)
            res = results[delay] = {}

            bench.sandbox(delay)
            log(f"{delay} ms, N={n}: (1) ceiling with {args.concurrency} threads")
            res["ceiling"] = bench.ceiling(bench.bodies(contacts, "ceiling"))
            log(f"  {rate(res['ceiling']):.0f} cb/s")

            bench.sandbox(delay)
            log(f"{delay} ms, N={n}: (2) bare Celery task")
            res["bare"] = bench.bare(
                bench.bodies(contacts, "bare"),
                bench.bodies(warm, "bare-warm"),
                expected,
                f"{delay}ms",
            )
            res["sandbox_bare"] = bench.sandbox_ok_count()
            log(f"  {rate(res['bare']):.0f} cb/s")

            bench.sandbox(delay)
            log(f"{delay} ms, N={n}: (3) application end to end ({args.create})")
            res["app"] = bench.app(contacts, warm, expected, f"{delay}ms")
            res["sandbox_app"] = bench.sandbox_ok_count()
            log(f"  {rate(res['app']):.0f} cb/s")

        for spy, out in bench.profiles:
            try:
                spy.wait(60)
            except subprocess.TimeoutExpired:
                pass
            log(f"py-spy profile: {out}")
        print(report(args, results, machine(args, r), load))
    finally:
        # No second Ctrl-C may cut the clean-up short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cleanup.close()


def _pings(client):
    try:
        return client.ping()
    except Exception:
        return False


def _listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted; everything this run started has been stopped")
        sys.exit(130)
