"""Measuring the call log benchmark's pages through Django's test client: our lists next to the
TaskResult admin's, timed after one unmeasured run, and the CSV export's time and peak memory."""

import statistics
import time
import tracemalloc
from datetime import timedelta

from benchmarks.progress import log


def client_for(username):
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def timed(client, url, runs):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples), sorted(samples)[max(0, round(0.95 * len(samples)) - 1)]


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
    from django_celery_results.models import TaskResult

    from callbacks.models import AgentGroup, CallbackRequest

    admin, auditor = client_for("bench-admin"), client_for("bench-auditor")
    some_call_id = (
        CallbackRequest.objects.exclude(call_id="")
        .order_by("?")
        .values_list("call_id", flat=True)[0]
    )
    some_task_id = TaskResult.objects.order_by("?").values_list("task_id", flat=True)[0]
    group = AgentGroup.objects.order_by("pk").first().pk
    requests = "/admin/callbacks/callbackrequest/"
    tasks = "/admin/django_celery_results/taskresult/"
    deep_requests = CallbackRequest.objects.count() // 100 - 1
    deep_tasks = min(4000, TaskResult.objects.count() // 100 - 1)
    since = (
        CallbackRequest.objects.order_by("requested_at").values_list("requested_at", flat=True)[0]
        + timedelta(days=180)
    ).date()
    pages = [
        ("call log list: first page", admin, requests, tasks),
        (
            "call log list: filtered by status",
            admin,
            f"{requests}?status__exact=failed",
            f"{tasks}?status__exact=FAILURE",
        ),
        (
            f"call log list: deep page (ours {deep_requests}, reference {deep_tasks})",
            admin,
            f"{requests}?p={deep_requests}",
            f"{tasks}?p={deep_tasks}",
        ),
        (
            "call log list: search one call id / task id",
            admin,
            f"{requests}?q={some_call_id}",
            f"{tasks}?q={some_task_id}",
        ),
        (
            "call log page: status, group and period",
            auditor,
            f"/call-log/?status=placed&agent_group={group}&period_after={since.isoformat()}",
            None,
        ),
    ]
    results = []
    for label, client, ours, reference in pages:
        log(label)
        results.append(
            (
                label,
                timed(client, ours, args.runs),
                timed(admin, reference, args.runs) if reference else None,
            )
        )
    log(f"CSV export of about {args.export_rows} rows")
    export = measure_export(
        auditor, f"/call-log/export.csv?period_after={export_period(args.export_rows)}"
    )
    return results, export
