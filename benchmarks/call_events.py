#!/usr/bin/env python
"""Call events per second through the events endpoint, on PostgreSQL: one hot call receiving many
events, and many calls receiving a few each.

    .venv/bin/python benchmarks/call_events.py            # about a minute
    .venv/bin/python benchmarks/call_events.py --hot 2000 --pad 8000

It drops and re-creates the database `callbacks_events_bench` on the local PostgreSQL, migrates it,
makes placed callbacks (each with its call id), and posts events one after another through
Django's test client (in process: the whole Django request, no network), each padded with `--pad`
bytes of payload as a chatty provider might send. It prints events per second and the median time
of an event early and late in the hot call, which shows whether an event's cost grows with the
events its call already has. The database is dropped at the end unless --keep-db.
"""

import argparse
import base64
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SECRET = "benchmark-events-secret-0123456789"
START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CONNECTED = [
    ("A", "o", 0),
    ("A", "s", 5),
    ("B", "o", 6),
    ("B", "s", 12),
    ("A", "d", 60),
    ("B", "d", 60),
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hot", type=int, default=1000, help="events of the one hot call")
    p.add_argument("--calls", type=int, default=500, help="calls of the many-calls run")
    p.add_argument("--pad", type=int, default=8000, help="payload bytes added to each event")
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="server, no database")
    p.add_argument("--db-name", default="callbacks_events_bench")
    p.add_argument("--keep-db", action="store_true")
    return p.parse_args(argv)


def setup_django(args):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{args.db_name}"')
    os.environ.update(
        DJANGO_SETTINGS_MODULE="benchmarks.call_log_settings",
        DATABASE_URL=f"{args.pg}/{args.db_name}",
        SECRET_KEY="benchmark-only-secret-key",
        EXOLVE_API_KEY="benchmark-key",
        EXOLVE_EVENTS_SECRET=SECRET,
        EXOLVE_EVENTS_PER_CALL="10000",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def placed_call_ids(count):
    """`count` placed callbacks, each with an attempt carrying its call id."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from callbacks.models import (
        AgentGroup,
        CallbackAttempt,
        CallbackRequest,
        CallbackStatus,
        Contact,
        Destination,
    )

    user = User.objects.create_user("bench-staff", is_staff=True)
    group = AgentGroup.objects.create(name="Bench", number_code=74990000000, callback_resource_id=1)
    Destination.objects.create(agent_group=group, position=0, number="79160000000")
    contact = Contact.objects.create(name="Bench")
    body = {
        "line_1": {"destinations": [{"number": "79160000000"}]},
        "line_2": {"destinations": [{"number": "79161234567"}]},
    }
    now = timezone.now()
    call_ids = [f"cal-bench-{i:06d}" for i in range(count)]
    callbacks = CallbackRequest.objects.bulk_create(
        CallbackRequest(
            contact=contact, agent_group=group, requested_by=user, requested_at=now,
            status=CallbackStatus.PLACED, request_description=f"bench-{i}", request_body=body,
            call_id=call_id, attempt_count=1, finished_at=now,
        )
        for i, call_id in enumerate(call_ids)
    )  # fmt: skip
    CallbackAttempt.objects.bulk_create(
        CallbackAttempt(
            callback=callback, sequence=1, request_description=f"bench-{i}-1", started_at=now,
            request_body=body, result="placed", call_id=callback.call_id,
        )
        for i, callback in enumerate(callbacks)
    )  # fmt: skip
    return call_ids


def event(call_id, side, kind, second, pad):
    return {
        "call_sid": call_id,
        "event_side": side,
        "type": kind,
        "date_time": (START + timedelta(seconds=second)).isoformat().replace("+00:00", "Z"),
        "duration": 54000 if kind == "d" else 0,
        "cause": "16",
        "padding": "x" * pad,
    }


def post_all(events):
    """Each event posted in turn; the milliseconds each took."""
    from django.test import Client
    from django.urls import reverse

    client = Client()
    url = reverse("exolve_events")
    credentials = "Basic " + base64.b64encode(f"exolve:{SECRET}".encode()).decode()
    times = []
    for sent in events:
        body = json.dumps(sent)
        started = time.perf_counter()
        response = client.post(
            url, body, content_type="application/json", headers={"Authorization": credentials}
        )
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"the endpoint answered {response.status_code}: {response.content[:200]!r}")
    return times


def hot_call(args, call_id):
    events = [event(call_id, "AB"[i % 2], "h", i, args.pad) for i in range(args.hot)]
    times = post_all(events)
    window = min(50, args.hot // 3)
    return {
        "events_per_second": len(times) / (sum(times) / 1000),
        "first": statistics.median(times[:window]),
        "middle": statistics.median(times[args.hot // 2 : args.hot // 2 + window]),
        "last": statistics.median(times[-window:]),
        "window": window,
    }


def many_calls(args, call_ids):
    rng = random.Random(7)
    events = [event(call_id, *step, args.pad) for call_id in call_ids for step in CONNECTED]
    rng.shuffle(events)  # calls interleaved, each call's events in any order
    times = post_all(events)
    return {"events": len(times), "events_per_second": len(times) / (sum(times) / 1000)}


def report(args, hot, many):
    from django.db import connection

    from callbacks.models import CallbackRequest

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connected = CallbackRequest.objects.filter(call_outcome="connected").count()
    print(
        f"\nPostgreSQL {version}; each event padded with {args.pad:,} bytes; one client, in turn.\n"
    )
    print("| run | events | events/s | median ms: first | middle | last |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| one hot call | {args.hot:,} | {hot['events_per_second']:.0f} | {hot['first']:.1f} "
        f"| {hot['middle']:.1f} | {hot['last']:.1f} |"
    )
    print(
        f"| many calls ({args.calls:,} × 6, shuffled) | {many['events']:,} "
        f"| {many['events_per_second']:.0f} | | | |"
    )
    print(
        f"\n'first', 'middle', 'last': the median of {hot['window']} events of the hot call at its "
        f"start, middle and end. Calls connected after the many-calls run: {connected:,} "
        f"of {args.calls:,}."
    )


def drop_database(args):
    from django.db import connections

    connections.close_all()
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)')


def main(argv=None):
    args = parse_args(argv)
    setup_django(args)
    try:
        call_ids = placed_call_ids(args.calls + 1)
        hot = hot_call(args, call_ids[0])
        many = many_calls(args, call_ids[1:])
        report(args, hot, many)
    finally:
        if not args.keep_db:
            drop_database(args)


if __name__ == "__main__":
    main()
