#!/usr/bin/env python
"""History at a million rows, on PostgreSQL: the admin's history list, the auditor's page and the
CSV export, next to django-celery-results' TaskResult admin list loaded with as many rows.

    .venv/bin/pip install -r benchmarks/requirements.txt   # django-celery-results, the reference
    .venv/bin/python benchmarks/history.py                 # load (several minutes), then measure
    .venv/bin/python benchmarks/history.py --skip-load     # measure again on the loaded database

It drops and re-creates the database `callbacks_history_bench` on the local PostgreSQL (unless
--skip-load), migrates it, loads requests, attempts, call events and TaskResult rows with
bulk_create, runs VACUUM ANALYZE, and times each page through Django's test client (in process:
the whole Django request, no network) `--runs` times after one unmeasured run. It prints the
median and 95th percentile per page as a Markdown table, and the export's time and peak memory.
"""

import argparse
import os
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
BATCH = 5000


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
    p.add_argument("--db-name", default="callbacks_history_bench")
    p.add_argument("--skip-load", action="store_true", help="measure the database as it is")
    return p.parse_args(argv)


def setup_django(args):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="benchmarks.history_settings",
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


def recreate_database(args):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{args.db_name}"')
        connection.execute(f'CREATE DATABASE "{args.db_name}"')


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def in_batches(model, rows):
    from django.db import transaction

    made = []
    for start in range(0, len(rows), BATCH):
        with transaction.atomic():
            made += model.objects.bulk_create(rows[start : start + BATCH])
    return made


# --- loading ------------------------------------------------------------------------------------


def load(args):
    from django.core.management import call_command

    log(f"database {args.db_name}: drop, create, migrate")
    recreate_database(args)
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    users, groups = load_people_and_groups()
    contacts = load_contacts(args, rng)
    requests = load_requests(args, rng, users, groups, contacts)
    load_attempts_and_events(args, rng, requests)
    load_task_results(args, rng)
    log("VACUUM ANALYZE")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def load_people_and_groups():
    from django.contrib.auth.models import Group, User

    from callbacks.models import AgentGroup, Destination

    User.objects.create_superuser("bench-admin", password="x")
    auditor = User.objects.create_user("bench-auditor", password="x", is_staff=True)
    auditor.groups.add(Group.objects.get(name="Auditors"))
    staff = [User.objects.create_user(f"staff{i}", password="x", is_staff=True) for i in range(20)]
    groups = []
    for i in range(10):
        group = AgentGroup.objects.create(
            name=f"Group {i}", number_code=74990000000 + i, callback_resource_id=1000 + i
        )
        Destination.objects.create(agent_group=group, position=0, number=f"7812000{i:04d}")
        groups.append(group)
    return staff, groups


def load_contacts(args, rng):
    from callbacks.models import Contact

    log(f"{args.contacts} contacts")
    first = [
        "Иван",
        "Пётр",
        "Анна",
        "Мария",
        "Олег",
        "Ольга",
        "Сергей",
        "Елена",
        "Дмитрий",
        "Наталья",
    ]
    last = ["Петров", "Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Лебедев", "Козлова"]
    return in_batches(
        Contact,
        [Contact(name=f"{rng.choice(first)} {rng.choice(last)} {i}") for i in range(args.contacts)],
    )


STATUSES = [("placed", 70), ("failed", 15), ("unknown", 5), ("refused", 5), ("cancelled", 5)]
OUTCOMES = [("connected", 60), ("agents_no_answer", 15), ("contact_no_answer", 20), ("failed", 5)]


def weighted(rng, choices):
    return rng.choices([value for value, _ in choices], [weight for _, weight in choices])[0]


def load_requests(args, rng, users, groups, contacts):
    from django.utils import timezone

    from callbacks.models import CallbackNumber, CallbackRequest

    log(f"{args.requests} callback requests and their numbers")
    now = timezone.now()
    span = timedelta(days=365).total_seconds()
    rows = []
    for i in range(args.requests):
        status = weighted(rng, STATUSES)
        requested_at = now - timedelta(seconds=span * (1 - i / args.requests))
        rows.append(
            CallbackRequest(
                contact=rng.choice(contacts),
                agent_group=rng.choice(groups),
                requested_by=rng.choice(users),
                requested_at=requested_at,
                status=status,
                request_description=f"callback-{uuid.UUID(int=rng.getrandbits(128))}",
                request_body={
                    "duration": 1800,
                    "line_1": {"destinations": []},
                    "line_2": {"destinations": []},
                },
                call_outcome=weighted(rng, OUTCOMES) if status == "placed" else "",
                finished_at=requested_at + timedelta(seconds=2),
                error="Exolve answered 400: invalid MakeCallbackRequest.Line_1"
                if status == "failed"
                else "",
            )
        )
    requests = in_batches(CallbackRequest, rows)
    in_batches(
        CallbackNumber,
        [CallbackNumber(callback=r, number=f"79{rng.randrange(10**9):09d}") for r in requests],
    )
    return requests


def load_attempts_and_events(args, rng, requests):
    from callbacks.models import CallbackAttempt, CallbackRequest, CallEvent

    log(f"{args.attempts} attempts and the placed calls' final events")
    per_request = args.attempts // len(requests)
    extra = args.attempts - per_request * len(requests)
    attempts, events, call_ids = [], [], []
    for index, callback in enumerate(requests):
        count = per_request + (1 if index < extra else 0)
        for sequence in range(1, count + 1):
            last = sequence == count
            placed = last and callback.status == "placed"
            call_id = f"cal{uuid.UUID(int=rng.getrandbits(128))}" if placed else ""
            started = callback.requested_at + timedelta(seconds=sequence)
            attempts.append(
                CallbackAttempt(
                    callback=callback,
                    sequence=sequence,
                    request_description=f"{callback.request_description}-{sequence}",
                    started_at=started,
                    finished_at=started + timedelta(milliseconds=250),
                    duration_ms=250,
                    request_body={"duration": 1800},
                    result="placed" if placed else "transient",
                    http_status=200 if placed else 503,
                    call_id=call_id,
                )
            )
            if placed:
                call_ids.append((callback.pk, call_id))
    attempts = in_batches(CallbackAttempt, attempts)
    by_call_id = {attempt.call_id: attempt for attempt in attempts if attempt.call_id}
    for _request_id, call_id in call_ids:
        attempt = by_call_id[call_id]
        moment = attempt.started_at + timedelta(seconds=60)
        events.append(
            CallEvent(
                call_sid=call_id,
                event_side="A",
                type="d",
                date_time=moment.isoformat(),
                occurred_at=moment,
                payload={"call_sid": call_id, "type": "d", "cause": "16"},
                received_at=moment,
                attempt=attempt,
            )
        )
    in_batches(CallEvent, events)
    log("the requests' call ids")
    for start in range(0, len(call_ids), BATCH):
        for request_id, call_id in call_ids[start : start + BATCH]:
            CallbackRequest.objects.filter(pk=request_id).update(call_id=call_id)
    return by_call_id


def load_task_results(args, rng):
    from django.utils import timezone
    from django_celery_results.models import TaskResult

    log(f"{args.task_results} TaskResult rows (the reference)")
    now = timezone.now()
    statuses = [("SUCCESS", 80), ("FAILURE", 10), ("RETRY", 5), ("REVOKED", 5)]
    for start in range(0, args.task_results, 50_000):
        rows = [
            TaskResult(
                task_id=str(uuid.UUID(int=rng.getrandbits(128))),
                task_name="callbacks.send_callbacks",
                task_args="[[12345]]",
                task_kwargs="{}",
                status=weighted(rng, statuses),
                worker="celery@worker-1",
                content_type="application/json",
                content_encoding="utf-8",
                result="null",
                date_done=now - timedelta(seconds=i * 30),
            )
            for i in range(start, min(start + 50_000, args.task_results))
        ]
        in_batches(TaskResult, rows)


# --- measuring ----------------------------------------------------------------------------------


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
        ("history list: first page", admin, requests, tasks),
        (
            "history list: filtered by status",
            admin,
            f"{requests}?status__exact=failed",
            f"{tasks}?status__exact=FAILURE",
        ),
        (
            f"history list: deep page (ours {deep_requests}, reference {deep_tasks})",
            admin,
            f"{requests}?p={deep_requests}",
            f"{tasks}?p={deep_tasks}",
        ),
        (
            "history list: search one call id / task id",
            admin,
            f"{requests}?q={some_call_id}",
            f"{tasks}?q={some_task_id}",
        ),
        (
            "auditor's page: status, group and period",
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
        f"Each page: median and 95th percentile of {args.runs} runs after one unmeasured run, through Django's test client.\n"
    )
    print("| page | ours: median | ours: p95 | TaskResult admin: median | TaskResult admin: p95 |")
    print("|---|---:|---:|---:|---:|")
    for label, (median, p95), reference in results:
        ref = f"{reference[0]:.0f} ms | {reference[1]:.0f} ms" if reference else "— | —"
        print(f"| {label} | {median:.0f} ms | {p95:.0f} ms | {ref} |")
    print(
        f"\nCSV export: {export['rows']:,} rows ({export['mb']:.1f} MB) in {export['seconds']:.1f} s; "
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
