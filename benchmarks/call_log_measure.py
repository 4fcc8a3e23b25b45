"""Measuring the call log benchmark's pages (call_log_pages.py) through Django's test client, each
after one unmeasured run, the TaskResult admin's counterparts beside them, and the CSV export's
time and peak memory."""

import re
import statistics
import time
import tracemalloc
from dataclasses import dataclass

from benchmarks.call_log_load import ADMIN, AUDITOR
from benchmarks.call_log_pages import pages
from benchmarks.progress import log


def client_for(username):
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@dataclass(frozen=True)
class Timing:
    median: float  # ms, the whole request
    p95: float
    sql: float  # ms in the database, median
    queries: int


class DatabaseTime:
    """The time a request spends in the database, and its queries (an execute_wrapper)."""

    def __init__(self):
        self.ms, self.queries = 0.0, 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000
            self.queries += 1


def timed(client, url, runs):
    from django.db import connection

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples, in_database = [], []
    for _ in range(runs):
        database = DatabaseTime()
        started = time.perf_counter()
        with connection.execute_wrapper(database):
            response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        in_database.append(database)
        assert response.status_code == 200, (url, response.status_code)
    return Timing(
        median=statistics.median(samples),
        p95=sorted(samples)[max(0, round(0.95 * len(samples)) - 1)],
        sql=statistics.median(d.ms for d in in_database),
        queries=in_database[-1].queries,
    )


def consume(response):
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


def measure_export(client, url):
    """Timed without tracing (tracemalloc slows Python several times), then traced for the peak."""
    started = time.perf_counter()
    size, lines = consume(client.get(url))
    seconds = time.perf_counter() - started
    tracemalloc.start()
    consume(client.get(url))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mb": peak / 2**20, "rows": lines - 1, "mb": size / 2**20}


def export_period(export_rows):
    """A period holding about export_rows requests (they are spread evenly over a year)."""
    from callbacks.models import CallbackRequest

    newest = CallbackRequest.objects.order_by("-requested_at").values_list(
        "requested_at", flat=True
    )
    since = newest[export_rows - 1]
    return since.date().isoformat()


def measure(args):
    """[(page, its Timing, the reference's Timing or None)], and the export's figures (None with
    --skip-export)."""
    chosen = [page for page in pages() if re.search(args.only, page.label)]
    clients = {username: client_for(username) for username in {p.user for p in chosen} | {ADMIN}}
    results = []
    for page in chosen:
        log(page.label)
        ours = timed(clients[page.user], page.url, args.runs)
        reference = timed(clients[ADMIN], page.reference, args.runs) if page.reference else None
        results.append((page, ours, reference))
    if args.skip_export:
        return results, None
    log(f"CSV export of about {args.export_rows} rows")
    export = measure_export(
        client_for(AUDITOR),
        f"/call-log/export.csv?period_after={export_period(args.export_rows)}",
    )
    return results, export
