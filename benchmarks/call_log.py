#!/usr/bin/env python
"""Call log at a million rows, on PostgreSQL: the admin's call log list, the call log page and the
CSV export, next to django-celery-results' TaskResult admin list loaded with as many rows.

    .venv/bin/pip install -r benchmarks/requirements.txt   # django-celery-results, the reference
    .venv/bin/python benchmarks/call_log.py                # load (several minutes), then measure
    .venv/bin/python benchmarks/call_log.py --skip-load    # measure again on the loaded database

It drops and re-creates the database `callbacks_call_log_bench` on the local PostgreSQL (unless
--skip-load), migrates it, loads requests, attempts, call events and TaskResult rows with
bulk_create, runs VACUUM ANALYZE, and times each page through Django's test client (in process:
the whole Django request, no network) `--runs` times after one unmeasured run. It prints the
median and 95th percentile per page as a Markdown table, and the export's time and peak memory.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# This file is the command line and the report; call_log_load.py fills the database and
# call_log_measure.py times the pages.
from benchmarks.call_log_load import load
from benchmarks.call_log_measure import measure


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=300_000)
    p.add_argument("--attempts", type=int, default=1_000_000)
    p.add_argument("--task-results", type=int, default=1_000_000)
    p.add_argument("--contacts", type=int, default=100_000)
    p.add_argument("--export-rows", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=7, help="measured runs per page (default 7)")
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


def report(args, results, export):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        counts = {}
        for table in [
            "callbacks_callbackrequest",
            "callbacks_callbackattempt",
            "callbacks_callevent",
            "django_celery_results_taskresult",
        ]:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    print(
        f"\nPostgreSQL {version}; rows: "
        + ", ".join(f"{table} {n:,}" for table, n in counts.items())
    )
    print(
        f"Each page: median and 95th percentile of {args.runs} runs after one unmeasured run, "
        "through Django's test client.\n"
    )
    print("| page | ours: median | ours: p95 | TaskResult admin: median | TaskResult admin: p95 |")
    print("|---|---:|---:|---:|---:|")
    for label, (median, p95), reference in results:
        ref = f"{reference[0]:.0f} ms | {reference[1]:.0f} ms" if reference else "— | —"
        print(f"| {label} | {median:.0f} ms | {p95:.0f} ms | {ref} |")
    print(
        f"\nCSV export: {export['rows']:,} rows ({export['mb']:.1f} MB) "
        f"in {export['seconds']:.1f} s; "
        f"peak Python memory while streaming {export['peak_mb']:.1f} MB (tracemalloc)."
    )


def main(argv=None):
    args = parse_args(argv)
    setup_django(args)
    if not args.skip_load:
        load(args)
    results, export = measure(args)
    report(args, results, export)


if __name__ == "__main__":
    main()
