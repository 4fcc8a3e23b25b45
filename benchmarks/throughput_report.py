"""The throughput benchmark's report: the machine, the Markdown table, the goals and the details."""

import os
import platform


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
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"Celery {celery.__version__}; "
        f"PostgreSQL {pg}; Redis {redis_client.info('server')['redis_version']} "
        "(private, no persistence)"
    )


def _load(result):
    return (
        f"worker CPU {1000 * result['worker_cpu_seconds'] / result['n']:.1f} ms per callback, "
        f"machine {result['machine_busy']:.0%} busy, "
        f"queue backlog mean {result['backlog_mean']:.0f} / "
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
        else "create_callback called one after another while the worker runs "
        "(one task per press, on commit)"
    )
    lines = [
        "",
        "## Callback throughput",
        "",
        f"Machine: {machine_line}. Load average before the run: {load}.",
        f"Worker: `--pool {args.pool} --concurrency {c}`, acks_late, prefetch multiplier 1, "
        f"one worker process for (2) and one for (3), {args.warmup} unmeasured warm-up tasks "
        f"first; (1) uses {c} threads, one requests.Session each. "
        "Sandbox: one `python -m exolve_sandbox` process (ThreadingHTTPServer).",
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
        ),
        "",
        "| sandbox latency | N | (1) ceiling, cb/s | (2) bare Celery task, cb/s "
        "| (3) application, cb/s | (3)/(2) | (2)/(1) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for delay in args.delays:
        r = results[delay]
        r1, r2, r3 = rate(r["ceiling"]), rate(r["bare"]), rate(r["app"])
        lines.append(
            f"| {delay} ms | {r['app']['n']} | {r1:.0f} | {r2:.0f} | {r3:.0f} "
            f"| {r3 / r2:.0%} | {r2 / r1:.0%} |"
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
            f"(2) {ba['n']} tasks in {ba['seconds']:.2f} s "
            f"(publishing took {ba['publish_seconds']:.2f} s), "
            f"{ba['errors']} not 200; sandbox logged {r['sandbox_bare'][0]} × 200; {_load(ba)}. "
            f"(3) {ap['n']} requests in {ap['seconds']:.2f} s "
            f"(publishing took {ap['publish_seconds']:.2f} s), "
            f"{_load(ap)}, "
            f"statuses {ap['statuses']}, {ap['attempts']} attempts "
            f"averaging {ap['attempt_avg_ms']:.0f} ms "
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
        "Where the numbers come from: every rate is N / (last completion − start), "
        "wall clock on this machine.",
        "(1) start = all threads connected (one unmeasured POST each); end = the last response, "
        "timed in the benchmark process.",
        "(2) start = just before the first apply_async; end = the latest finish time the tasks "
        "wrote to Redis (ZADD GT), after the task counter (INCR) reached N.",
        "(3) start = just before the first queue.publish; end = max(CallbackRequest.finished_at), "
        "read once every row is final (the database is polled every 50 ms).",
        "The sandbox's own request log (GET /_sandbox/requests) confirms the 200s of (2) and (3).",
        "",
    ]
    return "\n".join(lines)
