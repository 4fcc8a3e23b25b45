#!/usr/bin/env python
"""Call log at a million rows, on PostgreSQL: the admin's call log lists, the call log page, the
change trail and the CSV export, next to django-celery-results' TaskResult admin list loaded with
as many rows.

    .venv/bin/pip install -r benchmarks/requirements.txt   # django-celery-results, the reference
    .venv/bin/python benchmarks/call_log.py                # load (a few minutes), then measure
    .venv/bin/python benchmarks/call_log.py --skip-load    # measure again on the loaded database
    .venv/bin/python benchmarks/call_log.py --requests 3000000 --attempts 10000000 \\
        --task-results 0 --db-name callbacks_bench_10m     # 10M attempts, no reference

It drops and re-creates the database (unless --skip-load), migrates it, generates the rows in SQL
(call_log_sql.py), runs VACUUM ANALYZE, and times each page of call_log_pages.py through Django's
test client (in process: the whole Django request, no network) `--runs` times after one unmeasured
run. It prints the median and 95th percentile per page as a Markdown table, the export's time and
peak memory, the load's steps and the database's size. The database is kept.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# This file is the command line and the report; call_log_load.py fills the database,
# call_log_pages.py says what to time and call_log_measure.py times it.
from benchmarks.call_log_load import load
from benchmarks.call_log_measure import measure


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=300_000)
    p.add_argument("--attempts", type=int, default=1_000_000)
    p.add_argument(
        "--task-results", type=int, default=1_000_000, help="the reference's rows; 0: none"
    )
    p.add_argument("--contacts", type=int, help="default: a third of --requests")
    p.add_argument("--export-rows", type=int, default=100_000)
    p.add_argument("--skip-export", action="store_true")
    p.add_argument("--runs", type=int, default=7, help="measured runs per page (default 7)")
    p.add_argument("--only", default="", help="time only the pages whose label matches this regex")
    p.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL, no database",
    )
    p.add_argument("--db-name", default="callbacks_call_log_bench")
    p.add_argument("--skip-load", action="store_true", help="measure the database as it is")
    return p.parse_args(argv)


def setup_django(args):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="benchmarks.call_log_settings",
        DATABASE_URL=f"{args.pg}/{args.db_name}",
        SECRET_KEY="benchmark-only-secret-key",
        EXOLVE_API_KEY="benchmark-key",
        LOG_LEVEL="WARNING",
    )
    try:
        import django_celery_results  # noqa: F401
    except ImportError:
        sys.exit(
            "django-celery-results is missing: .venv/bin/pip install -r benchmarks/requirements.txt"
        )
    import django

    django.setup()


TABLES = [
    "callbacks_callbackrequest",
    "callbacks_callbackattempt",
    "callbacks_callevent",
    "callbacks_contact",
    "callbacks_historicalcontact",
    "django_celery_results_taskresult",
]


def describe_database():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    rows = ", ".join(f"{table} {n:,}" for table, n in counts.items())
    print(f"\nPostgreSQL {version}, database {connection.settings_dict['NAME']} ({size}); {rows}")


def report(args, results, export, timings):
    describe_database()
    print(
        f"Each page: median and 95th percentile of {args.runs} runs after one unmeasured run, "
        "through Django's test client; in SQL: the median time in the database, queries: per "
        "request.\n"
    )
    with_reference = any(reference for _page, _timing, reference in results)
    print(
        "| page | as | median | p95 | in SQL | queries |"
        + (" TaskResult admin: median | p95 |" * with_reference)
    )
    print("|---|---|---:|---:|---:|---:|" + ("---:|---:|" * with_reference))
    for page, timing, reference in results:
        line = (
            f"| {page.label} | {page.user} | {timing.median:.0f} ms | {timing.p95:.0f} ms "
            f"| {timing.sql:.0f} ms | {timing.queries} |"
        )
        if with_reference and reference:
            line += f" {reference.median:.0f} ms | {reference.p95:.0f} ms |"
        elif with_reference:
            line += " — | — |"
        print(line)
    if export:
        print(
            f"\nCSV export: {export['rows']:,} rows ({export['mb']:.1f} MB) "
            f"in {export['seconds']:.1f} s; "
            f"peak Python memory while streaming {export['peak_mb']:.1f} MB (tracemalloc)."
        )
    if timings:
        print("\nLoad: " + "; ".join(f"{step} {seconds:.0f} s" for step, seconds in timings))


def main(argv=None):
    args = parse_args(argv)
    setup_django(args)
    timings = None if args.skip_load else load(args)
    results, export = measure(args)
    report(args, results, export, timings)


if __name__ == "__main__":
    main()
