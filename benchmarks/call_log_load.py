"""Loading the call log benchmark's database: people and agent groups, contacts, callback requests
with their numbers, attempts and the placed calls' final events, and the reference TaskResult rows,
with bulk_create in batches, then VACUUM ANALYZE."""

import random
import uuid
from datetime import timedelta

from benchmarks.progress import log

BATCH = 5000


def recreate_database(args):
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{args.db_name}"')
        connection.execute(f'CREATE DATABASE "{args.db_name}"')


def in_batches(model, rows):
    from django.db import transaction

    made = []
    for start in range(0, len(rows), BATCH):
        with transaction.atomic():
            made += model.objects.bulk_create(rows[start : start + BATCH])
    return made


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
