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
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# This file is the command line and the run's order; the rest is in its own modules:
#   throughput_processes  the private Redis, the sandbox, the database, the workers, py-spy
#   throughput_monitor    CPU, machine, broker backlog and PostgreSQL counters while measuring
#   throughput_paths      the data, and the three measured paths (1), (2), (3)
#   throughput_report     the Markdown report
from benchmarks.progress import log
from benchmarks.throughput_paths import Bench
from benchmarks.throughput_processes import (
    Processes,
    Workers,
    adopt_env,
    benchmark_env,
    create_database,
    drop_database,
    free_port,
    listening,
    migrate,
    pings,
    raise_interrupt,
    start_redis,
    start_sandbox,
    wait_until,
)
from benchmarks.throughput_report import machine, rate, report


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
        "queues them with the sweeper's queue_due, CALLBACK_BATCH_SIZE per task; "
        "'live' calls create_callback "
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
        help="extra environment for the application's worker only, to try a change "
        "(e.g. a settings module of your own on PYTHONPATH); the report says so",
    )
    p.add_argument(
        "--app-processes",
        type=int,
        default=1,
        help="experiment: run the application's concurrency split over this many worker processes "
        "(default 1)",
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


def main(argv=None):
    args = parse_args(argv)
    # Even when started in the background (SIGINT ignored).
    signal.signal(signal.SIGINT, raise_interrupt)
    signal.signal(signal.SIGTERM, raise_interrupt)
    signal.signal(signal.SIGHUP, raise_interrupt)
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
        redis_proc = start_redis(procs, redis_port, work_dir)
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        env = benchmark_env(args, work_dir, redis_url, sandbox_url)
        adopt_env(env)

        sandbox_proc = start_sandbox(procs, sandbox_port, env)
        log(
            f"private redis on {redis_port} (pid {redis_proc.pid}), "
            f"sandbox on {sandbox_port} (pid {sandbox_proc.pid})"
        )
        log(f"database {args.db_name}: drop, create, migrate")
        create_database(args)
        if not args.keep_db:
            cleanup.callback(drop_database, args)
        migrate(env)

        import django

        django.setup()
        import logging

        logging.disable(logging.INFO)  # this process's own INFO lines (one per create_callback)
        import redis

        r = redis.Redis.from_url(redis_url)
        wait_until(lambda: pings(r), 20, "private redis", redis_proc)
        wait_until(lambda: listening(sandbox_port), 20, "sandbox", sandbox_proc)
        from django.db import connections

        cleanup.callback(connections.close_all)

        workers = Workers(args, procs, env)
        bench = Bench(args, workers, sandbox_url, redis_url)
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

        for spy, out in workers.profiles:
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


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted; everything this run started has been stopped")
        sys.exit(130)
