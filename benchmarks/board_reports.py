#!/usr/bin/env python
"""The supervisor's board and the reports on a loaded call log database (benchmarks/call_log.py
loads one), on PostgreSQL: each page through Django's test client, and each report built from the
rollup next to the same report counted from the callbacks themselves (the naive GROUP BY).

    .venv/bin/python benchmarks/call_log.py                       # load 300,000 callbacks first
    .venv/bin/python benchmarks/board_reports.py                  # migrate, fill, measure
    .venv/bin/python benchmarks/board_reports.py --db-name callbacks_bench_10m

It migrates the database to the current schema, gives the loaded callbacks the moments the board
reads (first placed, connected: a few seconds to minutes after the press, as the loader's outcomes
say), counts the rollup in full (timed: what migrating a production database costs once), then
times each page `--runs` times after one unmeasured run and prints the median and 95th percentile.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.call_log_measure import client_for, timed
from benchmarks.progress import log

# The moments the loader leaves empty: first placed a few seconds after the press, connected
# half a minute to ten minutes after it (migration 0019 fills them from attempts and call legs,
# which the loader does not give answer times).
MOMENTS = [
    "UPDATE callbacks_callbackrequest SET first_placed_at = requested_at"
    " + make_interval(secs => 2 + (id % 58)) WHERE call_id <> '' AND first_placed_at IS NULL",
    "UPDATE callbacks_callbackrequest SET connected_at = requested_at"
    " + make_interval(secs => 30 + (id * 7919 % 600))"
    " WHERE call_outcome = 'connected' AND connected_at IS NULL",
]
# Every hour noted, as migration 0020 leaves a database: the refresh below counts them all.
NOTE_EVERY_HOUR = (
    "INSERT INTO callbacks_reportdirtyhour (agent_group_id, hour) "
    "SELECT DISTINCT agent_group_id, date_trunc('hour', requested_at, 'UTC') "
    "FROM callbacks_callbackrequest WHERE NOT is_test"
)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--db-name", default="callbacks_call_log_bench")
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--days", type=int, default=90, help="the reports' period (default 90)")
    return p.parse_args(argv)


def setup_django(args):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="benchmarks.call_log_settings",  # plain HTTP, the test host
        DATABASE_URL=f"{args.pg}/{args.db_name}",
        SECRET_KEY="benchmark-only-secret-key",
        EXOLVE_API_KEY="benchmark-key",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/14",  # never used: nothing is queued
    )
    import django

    django.setup()


def prepare():
    from django.core.management import call_command
    from django.db import connection

    from callbacks.reports import rollup

    log("migrating")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        log("the callbacks' moments")
        for statement in MOMENTS:
            cursor.execute(statement)
        cursor.execute("VACUUM ANALYZE callbacks_callbackrequest")
        cursor.execute(NOTE_EVERY_HOUR)
    log("counting every hour into the rollup")
    started = time.perf_counter()
    hours = rollup.refresh()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE callbacks_reporthour")
    return hours, seconds


def timed_call(function, runs):
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), sorted(samples)[max(0, round(0.95 * len(samples)) - 1)]


def measure(args):
    from django.urls import reverse
    from django.utils import timezone

    from callbacks.models import AgentGroup, CallbackRequest
    from callbacks.reports import series

    newest = CallbackRequest.objects.order_by("-requested_at").values_list(
        "requested_at", flat=True
    )
    last = timezone.localtime(newest[0]).date()
    first = last - timedelta(days=args.days - 1)
    groups = list(AgentGroup.objects.order_by("name"))
    one = groups[0]
    client = client_for("bench-staff")
    reports = reverse("admin:reports")
    period = f"first={first}&last={last}"
    pages = [
        ("board (staff)", reverse("admin:board")),
        (f"report: {args.days} days per day, all groups", f"{reports}?{period}&granularity=day"),
        (
            f"report: {args.days} days per week, one group",
            f"{reports}?{period}&granularity=week&agent_group={one.pk}",
        ),
        (
            "report: 7 days per hour, all groups",
            f"{reports}?first={last - timedelta(days=6)}&last={last}&granularity=hour",
        ),
        (f"report CSV: {args.days} days per day", f"{reports}?{period}&granularity=day&format=csv"),
    ]
    results = []
    for label, url in pages:
        log(label)
        timing = timed(client, url, args.runs)
        results.append((label, (timing.median, timing.p95), None, timing))
    zone = "Europe/Moscow"
    for label, chosen in ((f"all groups, {args.days} days per day", groups), ("one group", [one])):
        log(f"rollup and naive: {label}")
        rolled = timed_call(lambda c=chosen: series.report(first, last, c, "day", zone), args.runs)
        naive = timed_call(
            lambda c=chosen: series.report(first, last, c, "day", zone, naive=True), args.runs
        )
        results.append((f"the report's figures, {label}", rolled, naive, None))
    return results


def report(args, prepared, results):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM callbacks_callbackrequest")
        callbacks = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM callbacks_callbackattempt")
        attempts = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM callbacks_reporthour")
        rollup_rows = cursor.fetchone()[0]
    hours, seconds = prepared
    print(
        f"\n{callbacks:,} callbacks, {attempts:,} attempts; the rollup: {rollup_rows:,} rows, "
        f"{hours:,} hours counted in {seconds:.1f} s. Median and 95th percentile of {args.runs} "
        "runs after one unmeasured run.\n"
    )
    print(
        "| what | median | p95 | in the database (queries) "
        "| counted from the callbacks (naive): median | naive: p95 |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, (median, p95), naive, timing in results:
        other = f"{naive[0]:.0f} ms | {naive[1]:.0f} ms" if naive else "— | —"
        database = f"{timing.sql:.0f} ms ({timing.queries})" if timing else "—"
        print(f"| {label} | {median:.0f} ms | {p95:.0f} ms | {database} | {other} |")


def main(argv=None):
    args = parse_args(argv)
    setup_django(args)
    prepared = prepare()
    report(args, prepared, measure(args))


if __name__ == "__main__":
    main()
